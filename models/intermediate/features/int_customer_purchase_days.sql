{{ config(materialized='view') }}

{#-
    One row per purchase day of an accepted customer, up to as_of_date: a day
    with at least one purchase order (several orders on one day are one
    purchase, as in the customer-value models' papers), valued at the day's
    purchase amount. Kept in int_customer_order_state, so a daily build
    regroups only the days its changes touch; the backtest's calibration
    summary (ml_value_fit_sample) and holdout purchases
    (customer_value_backtest_weekly) read it.
-#}
select
    customer_key,
    order_date as purchase_date,
    -- The day's sum, rounded to the cent by the state.
    purchase_amount as day_value,
    accepted_order_lines
from {{ ref('int_customer_order_state') }}
where is_purchase_day and not is_day_total
