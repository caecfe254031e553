{#-
    Order behaviour per customer, one row per customer with at least one
    accepted order line. Lines dated after var as_of_date are valid but belong
    to a later run: they count only in accepted_order_lines (for the
    reconciliation), not in any metric. Without the var every accepted line is
    in the window, since as_of_date is then the latest accepted order date.
      frequency        distinct purchase orders
      cancelled_orders orders whose every line is cancelled (var
                       cancel_statuses): neither revenue nor returns
      gross_revenue    sum of purchase lines
      refunded_amount  sum of negative return lines (money paid back)
      net_revenue      gross minus refunds, never below 0 (the monetary value)
      return_rate      orders with a return line / orders with a purchase or
                       a return line (cancelled orders count in neither)
      cadence          mean days between first and last purchase, per gap
    Orders come from int_customer_orders (the one pass over every order
    line), keyed by the integer customer_key, not the text id: a third
    cheaper at 20M lines; the id is joined back per customer.
    Recency needs as_of_date and is computed in int_customer_features, so this
    model does not wait for the date.
-#}
with

orders as (

    select * from {{ ref('int_customer_orders') }}

),

per_customer as (

    select
        customer_key,
        -- Counts are bigint on every engine (DuckDB sums integers into int128).
        cast(sum(accepted_order_lines) as bigint) as accepted_order_lines,
        cast(sum(lines_with_set_aside_values) as bigint) as lines_with_set_aside_values,
        -- An order with no line in the window has no date.
        cast(sum(case when order_date is not null then 1 else 0 end) as bigint) as total_orders,
        cast(sum(has_purchase) as bigint) as frequency,
        cast(sum(has_return) as bigint) as orders_with_returns,
        cast(sum(case when has_purchase = 1 or has_return = 1 then 1 else 0 end) as bigint)
            as completed_orders,
        cast(sum(case when order_date is not null and has_uncancelled_line = 0 then 1 else 0 end)
            as bigint) as cancelled_orders,
        -- Sums of money are rounded: parallel float sums can differ in the last
        -- bit between runs, and a rerun must give identical marts.
        round(sum(purchase_amount), 6) as gross_revenue,
        round(sum(refunded_amount), 6) as refunded_amount,
        sum(units) as units_purchased,
        min(case when has_purchase = 1 then order_date end) as first_purchase_date,
        max(case when has_purchase = 1 then order_date end) as last_purchase_date,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
    group by customer_key

),

customers as (

    select customer_id, customer_key from {{ ref('int_customers_cleaned') }}

)

select
    customers.customer_id,
    accepted_order_lines,
    lines_with_set_aside_values,
    total_orders,
    frequency,
    orders_with_returns,
    cancelled_orders,
    units_purchased,
    gross_revenue,
    refunded_amount,
    case
        when gross_revenue - refunded_amount > 0 then gross_revenue - refunded_amount
        else 0
    end as net_revenue,
    case
        when frequency > 0 then gross_revenue / frequency
        else 0
    end as avg_order_value,
    case
        when completed_orders > 0
            then cast(orders_with_returns as {{ type_double() }}) / completed_orders
        else 0
    end as return_rate,
    first_order_date,
    last_order_date,
    first_purchase_date,
    last_purchase_date,
    case
        when frequency > 1
            then cast({{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }} as {{ type_double() }})
                / (frequency - 1)
    end as purchase_cadence_days
from per_customer
inner join customers on per_customer.customer_key = customers.customer_key
