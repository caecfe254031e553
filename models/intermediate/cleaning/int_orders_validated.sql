{#-
    Every orders row, typed, with the reason it is rejected (null when it is
    accepted). The first rule that applies names the reason:
      1. no order_id
      2. no customer_id
      3. order_date missing or unparseable
      4. order_date later than today (the machine's clock)
      5. amount missing or not a number
      6. customer_id not among the accepted customers
      7. the same line again (every raw value equal to an earlier row)
    A negative amount or a return status is a return, not an error. A quantity
    that does not parse becomes null (1 is assumed) and is listed in
    invalid_columns.
-#}

with

orders as (

    select * from {{ ref('stg_input__orders') }}

),

accepted_customers as (

    select customer_id
    from {{ ref('int_customers_validated') }}
    where rejection_reason is null

),

typed as (

    select
        -- ids
        {{ clean_text('orders.order_id') }} as order_id,
        {{ clean_text('orders.customer_id') }} as customer_id,

        -- dates
        {{ parse_date('orders.order_date') }} as order_date,

        -- numerics
        {{ parse_number('orders.amount') }} as amount,
        {{ parse_number('orders.quantity') }} as quantity,

        -- strings
        coalesce(lower({{ clean_text('orders.category') }}), 'unknown') as category,
        coalesce(lower({{ clean_text('orders.status') }}), 'completed') as status,

        -- raw values, for the quarantine
        orders.order_id as raw_order_id,
        orders.customer_id as raw_customer_id,
        orders.order_date as raw_order_date,
        orders.amount as raw_amount,
        orders.category as raw_category,
        orders.status as raw_status,
        orders.quantity as raw_quantity,

        orders.source_row_number,
        orders.source_file
    from orders

),

with_customer as (

    select
        typed.*,
        accepted_customers.customer_id is not null as has_known_customer,
        row_number() over (
            partition by
                raw_order_id, raw_customer_id, raw_order_date, raw_amount,
                raw_category, raw_status, raw_quantity
            order by source_row_number
        ) as copy_number,
        min(source_row_number) over (
            partition by
                raw_order_id, raw_customer_id, raw_order_date, raw_amount,
                raw_category, raw_status, raw_quantity
        ) as first_copy_row_number
    from typed
    left join accepted_customers
        on typed.customer_id = accepted_customers.customer_id

),

final as (

    select
        order_id,
        customer_id,
        order_date,
        amount,
        case when quantity > 0 then quantity end as quantity,
        category,
        status,
        case
            when order_id is null then 'missing order_id'
            when customer_id is null then 'missing customer_id'
            when order_date is null and {{ clean_text('raw_order_date') }} is null
                then 'missing order_date'
            when order_date is null then 'unparseable order_date'
            when order_date > {{ dbt.current_timestamp() }} then 'order_date in the future'
            when amount is null and {{ clean_text('raw_amount') }} is null then 'missing amount'
            when amount is null then 'non-numeric amount'
            when not has_known_customer then 'unknown customer_id'
            when copy_number > 1
                then {{ dbt.concat(["'duplicate of source row '", dbt.safe_cast('first_copy_row_number', dbt.type_string())]) }}
        end as rejection_reason,
        case
            when {{ clean_text('raw_quantity') }} is not null and not coalesce(quantity > 0, false)
                then 'quantity'
        end as invalid_columns,
        raw_order_id,
        raw_customer_id,
        raw_order_date,
        raw_amount,
        raw_category,
        raw_status,
        raw_quantity,
        source_row_number,
        source_file
    from with_customer

)

select * from final
