{{ config(materialized='view') }}

{#-
    One row per order (a customer's order_id) with a line up to as_of_date:
    the grain the semantic layer's order metrics sit on. A view, so a build
    costs nothing at 20M order lines; each `mf query` makes its own pass.
    Money is defined as in int_customer_order_metrics, so that a customer's
    orders add up to the customer's net revenue (dim_customer_segments.monetary)
    and a segment's to segment_profiles.revenue:
      purchase_revenue  sum of purchase lines
      refunded_amount   sum of negative lines, as a positive number
      net_revenue       purchase_revenue minus the refunds that count. A
                        customer's net revenue is never below 0, so when a
                        customer's refunds exceed their purchases in the
                        window (returns of goods bought before it) each of
                        their refunds is scaled down in proportion, and their
                        orders add up to 0.
      window_net_revenue  every customer's net revenue up to as_of_date, the
                        same on every row: the denominator of revenue_share.
-#}

with

order_lines as (

    -- Lines dated after var as_of_date are valid but belong to a later run.
    select * from {{ ref('int_order_lines_cleaned') }}
    where {{ in_as_of_window('true', 'false') }}

),

customer_order_metrics as (

    select * from {{ ref('int_customer_order_metrics') }}

),

orders as (

    -- An order's lines may disagree on the date; its first line dates it.
    select
        customer_id,
        order_id,
        min(order_date) as order_date,
        max(case when is_purchase_line then 1 else 0 end) as has_purchase,
        max(case when is_return_line then 1 else 0 end) as has_return,
        sum(case when is_purchase_line then amount else 0 end) as purchase_revenue,
        sum(case when is_return_line and amount < 0 then -amount else 0 end) as refunded_amount
    from order_lines
    group by customer_id, order_id

),

refund_scales as (

    -- Only the customers whose refunds exceed their purchases: a few percent.
    select
        customer_id,
        gross_revenue / refunded_amount as refund_scale
    from customer_order_metrics
    where refunded_amount > gross_revenue

),

window_revenue as (

    select sum(net_revenue) as window_net_revenue from customer_order_metrics

)

select
    -- ids
    cast(orders.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(orders.order_id as {{ dbt.type_string() }}) as order_id,

    -- booleans
    orders.has_purchase = 1 as is_purchase_order,
    orders.has_return = 1 as has_return,

    -- money
    cast(orders.purchase_revenue as double) as purchase_revenue,
    cast(orders.refunded_amount as double) as refunded_amount,
    cast(
        orders.purchase_revenue
        - orders.refunded_amount * coalesce(refund_scales.refund_scale, 1)
        as double
    ) as net_revenue,
    cast(window_revenue.window_net_revenue as double) as window_net_revenue,

    -- dates
    cast(orders.order_date as date) as order_date
from orders
left join refund_scales on orders.customer_id = refund_scales.customer_id
cross join window_revenue
