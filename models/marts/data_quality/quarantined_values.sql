{#-
    Single values that did not parse (or were out of range) on rows that were
    accepted: the value was treated as missing and imputed, the row was kept.
    One row per (source row, column).
-#}
{%- set customer_columns = ['signup_date', 'birth_date', 'age', 'annual_income', 'spending_score'] %}

with

customers as (

    select * from {{ ref('int_customers_validated') }}
    where rejection_reason is null and invalid_columns is not null

),

orders as (

    select * from {{ ref('int_orders_with_issues') }}
    where rejection_reason is null and invalid_columns is not null

),

unioned as (

    {%- for column in customer_columns %}
    select
        'customers' as source,
        source_file,
        source_row_number,
        customer_id as record_id,
        '{{ column }}' as column_name,
        raw_{{ column }} as raw_value
    from customers
    where {{ column }} is null and raw_{{ column }} is not null

    union all
    {%- endfor %}

    select
        'orders' as source,
        source_file,
        source_row_number,
        order_id as record_id,
        'quantity' as column_name,
        raw_quantity as raw_value
    from orders

)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row_number as bigint) as source_row_number,
    cast(record_id as {{ dbt.type_string() }}) as record_id,
    cast(column_name as {{ dbt.type_string() }}) as column_name,
    cast(raw_value as {{ dbt.type_string() }}) as raw_value,
    cast('unparseable or out of range: treated as missing' as {{ dbt.type_string() }}) as reason
from unioned
