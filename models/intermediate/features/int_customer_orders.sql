{{ config(materialized='view') }}

{#-
    One row per order of an accepted customer, up to as_of_date: the orders
    of int_customer_order_state (the one pass over the order lines, kept
    between builds), without its day totals and purchase days. The
    per-customer metrics (int_customer_order_metrics) read it.
-#}
select
    customer_key,
    order_key,
    accepted_order_lines,
    lines_with_set_aside_values,
    order_date,
    has_purchase,
    has_return,
    has_uncancelled_line,
    purchase_amount,
    refunded_amount,
    units
from {{ ref('int_customer_order_state') }}
where not is_day_total and not is_purchase_day
