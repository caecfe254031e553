{#-
    Order behaviour per customer up to as_of_date (later orders are valid but
    belong to a later run). One row per customer with at least one order line.
      frequency        distinct purchase orders
      gross_revenue    sum of purchase lines
      refunded_amount  sum of negative lines (money paid back)
      net_revenue      gross minus refunds, never below 0 (the monetary value)
      return_rate      orders with a return line / all orders
      cadence          mean days between first and last purchase, per gap
-#}

with

order_lines as (

    select * from {{ ref('int_order_lines_cleaned') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

in_window as (

    select order_lines.*
    from order_lines
    cross join as_of
    where order_lines.order_date <= as_of.as_of_date

),

orders as (

    -- An order's lines may disagree on the date; its first line dates it.
    select
        customer_id,
        order_id,
        min(order_date) as order_date,
        max(case when is_purchase_line then 1 else 0 end) as has_purchase,
        max(case when is_return_line then 1 else 0 end) as has_return,
        -- Sums of money are rounded: parallel float sums can differ in the last
        -- bit between runs, and a rerun must give identical marts.
        round(sum(case when is_purchase_line then amount else 0 end), 6) as purchase_amount,
        round(sum(case when amount < 0 then -amount else 0 end), 6) as refunded_amount,
        sum(case when is_purchase_line then quantity else 0 end) as units
    from in_window
    group by customer_id, order_id

),

per_customer as (

    select
        customer_id,
        count(*) as total_orders,
        sum(has_purchase) as frequency,
        sum(has_return) as orders_with_returns,
        round(sum(purchase_amount), 6) as gross_revenue,
        round(sum(refunded_amount), 6) as refunded_amount,
        sum(units) as units_purchased,
        min(case when has_purchase = 1 then order_date end) as first_purchase_date,
        max(case when has_purchase = 1 then order_date end) as last_purchase_date,
        min(order_date) as first_order_date
    from orders
    group by customer_id

),

final as (

    select
        per_customer.customer_id,
        per_customer.total_orders,
        per_customer.frequency,
        per_customer.orders_with_returns,
        per_customer.units_purchased,
        per_customer.gross_revenue,
        per_customer.refunded_amount,
        case
            when per_customer.gross_revenue - per_customer.refunded_amount > 0
                then per_customer.gross_revenue - per_customer.refunded_amount
            else 0
        end as net_revenue,
        case
            when per_customer.frequency > 0
                then per_customer.gross_revenue / per_customer.frequency
            else 0
        end as avg_order_value,
        cast(per_customer.orders_with_returns as {{ dbt.type_float() }})
            / per_customer.total_orders as return_rate,
        per_customer.first_order_date,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        {{ dbt.datediff('per_customer.last_purchase_date', 'as_of.as_of_date', 'day') }} as recency_days,
        case
            when per_customer.frequency > 1
                then cast({{ dbt.datediff('per_customer.first_purchase_date', 'per_customer.last_purchase_date', 'day') }} as {{ dbt.type_float() }})
                    / (per_customer.frequency - 1)
        end as purchase_cadence_days
    from per_customer
    cross join as_of

)

select * from final
