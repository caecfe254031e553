{#-
    What BI gets of quarantined_values: every set-aside value's row, column
    and reason, but the raw value itself only for the columns var
    published_raw_columns lets leave dbt's file (null otherwise: an
    unparseable income or birth date stays in dbt's own quarantined_values).
    record_id as in bi_quarantined_rows. Published under the name
    quarantined_values (bi_public_marts).
-#}
{%- set allowed = published_raw_columns() %}

with

quarantined_values as (

    select * from {{ ref('quarantined_values') }}

)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row_number as bigint) as source_row_number,
    cast(
        case source
            when 'customers' then {{ 'record_id' if 'customer_id' in allowed else 'null' }}
            when 'orders' then {{ 'record_id' if 'order_id' in allowed else 'null' }}
        end as {{ dbt.type_string() }}
    ) as record_id,
    cast(column_name as {{ dbt.type_string() }}) as column_name,
    cast(
        {%- if allowed %}
        case when column_name in ({% for column in allowed %}'{{ column }}'{{ ', ' if not loop.last }}{% endfor %})
            then raw_value end
        {%- else %}
        null
        {%- endif %}
        as {{ dbt.type_string() }}
    ) as raw_value,
    cast(reason as {{ dbt.type_string() }}) as reason
from quarantined_values
