{{ config(materialized='view') }}

{#-
    Every orders row, typed, with the reason it is rejected (null when it is
    accepted). The first rule that applies names the reason:
      1. no order_id
      2. no customer_id
      3. order_date missing or unparseable
      4. order_date later than today (the machine's clock), or before var
         min_plausible_date (placeholders such as 1900-01-01, -infinity)
      5. amount missing or not a number
      6. amount NaN, infinite or beyond +-var max_plausible_amount
      7. customer_id not among the accepted customers
    Order lines are not deduplicated: an export without line ids can hold two
    identical lines (the same product twice), and both are revenue.
    A negative amount or a return status is a return, not an error. A quantity
    that does not parse, or is not above 0 and at most var
    max_plausible_quantity, becomes null (1 is assumed) and is listed in
    invalid_columns.
    A view, not a table: at 20M order lines writing them out again cost more
    than the checks themselves. Each reader makes one pass:
    int_orders_with_issues keeps the rows with a problem, and
    int_order_lines_cleaned feeds the per-customer metrics.
-#}

{%- set max_amount = float_literal(checked_var('max_plausible_amount')) %}
{%- set max_quantity = float_literal(checked_var('max_plausible_quantity')) %}

with

orders as (

    select * from {{ ref('stg_input__orders') }}

),

category_levels as (

    select raw_value, level
    from {{ ref('int_categorical_levels') }}
    where attribute = 'category'

),

accepted_customers as (

    select customer_id, customer_key
    from {{ ref('int_customers_cleaned') }}

),

typed as (

    select
        -- ids
        {{ as_text('orders.order_id') }} as order_id,
        {{ as_text('orders.customer_id') }} as customer_id,

        -- dates
        {{ parse_date('orders.order_date') }} as order_date,

        -- numerics
        {{ parse_number('orders.amount') }} as amount,
        {{ parse_number('orders.quantity') }} as quantity,

        -- strings
        -- one level per spelling ('Books', 'books '; int_categorical_levels)
        coalesce(category_levels.level, 'unknown') as category,
        coalesce(lower({{ as_text('orders.status') }}), 'completed') as status,

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
    left join category_levels
        on category_levels.raw_value = {{ as_text('orders.category') }}

),

with_customer as (

    select
        typed.*,
        accepted_customers.customer_key
    from typed
    left join accepted_customers
        on typed.customer_id = accepted_customers.customer_id

),

final as (

    select
        order_id,
        customer_id,
        customer_key,
        order_date,
        amount,
        case when quantity > 0 and quantity <= {{ max_quantity }} then quantity end as quantity,
        category,
        status,
        case
            when order_id is null then 'missing order_id'
            when customer_id is null then 'missing customer_id'
            when order_date is null and raw_order_date is null
                then 'missing order_date'
            when order_date is null then 'unparseable order_date'
            -- Compared as dates, with the machine's local date (macro machine_today).
            when order_date > {{ machine_today() }}
                then 'order_date in the future'
            when order_date < {{ date_literal(checked_var('min_plausible_date')) }}
                then 'order_date before min_plausible_date (a placeholder date?)'
            when amount is null and raw_amount is null then 'missing amount'
            when amount is null then 'non-numeric amount'
            -- NaN compares above every number, so this also catches NaN and infinity.
            when not abs(amount) <= {{ max_amount }}
                then 'implausible amount (NaN, infinite or beyond max_plausible_amount)'
            when customer_key is null then 'unknown customer_id'
        end as rejection_reason,
        case
            when raw_quantity is not null and not coalesce(quantity > 0 and quantity <= {{ max_quantity }}, false)
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

-- Raw text is kept only where it is needed (rejected rows and rows with an
-- unparseable value), so the table of accepted lines stays narrow.
select
    order_id,
    customer_id,
    customer_key,
    order_date,
    amount,
    quantity,
    category,
    status,
    rejection_reason,
    invalid_columns,
    {%- for column in ['order_id', 'customer_id', 'order_date', 'amount', 'category', 'status', 'quantity'] %}
    case
        when rejection_reason is not null or invalid_columns is not null
            then cast(raw_{{ column }} as {{ dbt.type_string() }})
    end as raw_{{ column }},
    {%- endfor %}
    source_row_number,
    source_file
from final
