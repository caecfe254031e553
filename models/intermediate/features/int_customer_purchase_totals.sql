{{ config(materialized='view') }}

{#-
    One row per accepted customer with a purchase, up to as_of_date: their
    purchase days (int_customer_purchase_days) summed. Kept in
    int_customer_order_state beside the days, and rebuilt there only for the
    customers whose days a build changed, so the customer-value summary
    (int_customer_value_summary) reads a row per customer instead of every
    purchase day.
-#}
select
    customer_key,
    first_line_date as first_purchase_date,
    last_line_date as last_purchase_date,
    purchase_days,
    -- Sums of days rounded to the cent, exact: rounded by the state.
    purchase_amount as total_value,
    first_day_value
from {{ ref('int_customer_order_state') }}
where is_purchase_day and is_day_total
