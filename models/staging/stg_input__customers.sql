{#-
    The customers input as text, one row per source row, columns renamed to
    their canonical names (var column_map) and every other source column kept
    as extra__<name>. source_row_number is the 1-based data row in the file, so
    every later message can point at the row.
-#}
{%- set relation = input_relation('customers') %}
{{- validate_model_input('customers') }}

with

source as (

    {{ input_rows_numbered('customers') }}

),

renamed as (

    select
        {{ staged_input_columns('customers') | join(',\n        ') }},
        source_row_number,
        {{ sql_string(input_description('customers')) }} as source_file
    from source

)

select * from renamed
