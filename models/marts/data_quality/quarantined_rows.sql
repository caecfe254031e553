{#-
    Every input row that was not accepted, with the reason and the raw values
    it arrived with (a JSON object of text), so nothing is silently dropped;
    and every CSV line the reader could not read as a row, with its line
    number and text. Fix the source and rebuild, or accept the loss knowingly.
-#}

with

customers as (

    select * from {{ ref('int_customers_validated') }}
    where rejection_reason is not null

),

orders as (

    select * from {{ ref('int_orders_with_issues') }}
    where rejection_reason is not null

),

unioned as (

    select
        'customers' as source,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        raw_customer_id as record_id,
        rejection_reason,
        {{ raw_values_json(quarantine_raw_columns()['customers']) }}
            as raw_values
    from customers

    union all

    select
        'orders' as source,
        source_file,
        source_row_number,
        cast(null as bigint) as source_line_number,
        raw_order_id as record_id,
        rejection_reason,
        {{ raw_values_json(quarantine_raw_columns()['orders']) }}
            as raw_values
    from orders

    union all

    select
        source,
        source_file,
        cast(null as bigint) as source_row_number,
        source_line_number,
        cast(null as {{ dbt.type_string() }}) as record_id,
        rejection_reason,
        {{ raw_values_json(['raw_line']) }} as raw_values
    from {{ ref('stg_input__unreadable_lines') }}

)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row_number as bigint) as source_row_number,
    cast(source_line_number as bigint) as source_line_number,
    cast(record_id as {{ dbt.type_string() }}) as record_id,
    cast(rejection_reason as {{ dbt.type_string() }}) as rejection_reason,
    cast(raw_values as {{ dbt.type_string() }}) as raw_values
from unioned
