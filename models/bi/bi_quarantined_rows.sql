{#-
    What BI gets of quarantined_rows: every row, its reason and where it came
    from, but of its raw values only the columns var published_raw_columns
    lets leave dbt's file (by default ids, order dates and statuses: no
    rejected customer's birth date, age, gender or income). dbt's own
    quarantined_rows keeps every raw value for the engineer who fixes the
    source. record_id is the row's customer_id or order_id, published when
    that column may be. Published under the name quarantined_rows
    (bi_public_marts).

    raw_values is read as JSON; a value that is not valid JSON, and a CSV line
    the reader could not read as a row (its whole text, which may hold any
    column), publish as '{}' rather than leak what cannot be filtered. A table, so the filter
    runs once per build, not once per export format.
-#}
{%- set allowed = published_raw_columns() %}
{%- set published_keys = [] %}
{%- for column in allowed %}
    {%- do published_keys.append('raw_' ~ column) %}
{%- endfor %}

with

quarantined_rows as (

    select * from {{ ref('quarantined_rows') }}

),

published as (

    select
        source,
        source_file,
        source_row_number,
        source_line_number,
        case source
            when 'customers' then {{ 'record_id' if 'customer_id' in allowed else 'null' }}
            when 'orders' then {{ 'record_id' if 'order_id' in allowed else 'null' }}
        end as record_id,
        rejection_reason,
        -- A new object of the published keys, in the input's column order.
        case
            when not {{ json_is_valid('raw_values') }} then '{}'
            {%- for source, columns in quarantine_raw_columns().items() %}
            {%- set keys = columns | select('in', published_keys) | list %}
            when source = '{{ source }}' and source_line_number is null then
            {%- if keys %}
                {{ json_subset('raw_values', keys) }}
            {%- else %}
                '{}'
            {%- endif %}
            {%- endfor %}
            -- A line the reader could not read ({"raw_line": ...}) may hold any column.
            else '{}'
        end as raw_values
    from quarantined_rows

)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row_number as bigint) as source_row_number,
    cast(source_line_number as bigint) as source_line_number,
    cast(record_id as {{ dbt.type_string() }}) as record_id,
    cast(rejection_reason as {{ dbt.type_string() }}) as rejection_reason,
    cast(raw_values as {{ dbt.type_string() }}) as raw_values
from published
