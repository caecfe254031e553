{#-
    The orders input as text, one row per source row (an order or an order
    line), columns renamed to their canonical names. No orders file is a valid
    input: this model is then empty, with the same columns.
-#}
{%- set relation = input_relation('orders') %}
{{- validate_model_input('orders') }}
{%- set canonical = input_entities()['orders'].required + input_entities()['orders'].optional %}

with

{% if relation is none -%}

renamed as (

    select
        {%- for column in canonical %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as source_row_number,
        cast(null as {{ dbt.type_string() }}) as source_file
    where 1 = 0

)

{%- else -%}

source as (

    {{ input_rows_numbered('orders') }}

),

renamed as (

    select
        {{ staged_input_columns('orders') | join(',\n        ') }},
        source_row_number,
        {{ sql_string(input_description('orders')) }} as source_file
    from source

)

{%- endif %}

select * from renamed
