{#-
    What the customer-value models (BG/NBD, Gamma-Gamma: docs/methods.md) read
    of each customer with a purchase: the summary of its purchase days, in
    weeks, as of as_of_date.

    A purchase day is a day with at least one purchase order in the window
    (several orders on one day are one purchase, as in the models' papers);
    its value is the day's purchase amount. Each customer's days are summed
    in the order state, where a build re-sums only the customers whose days
    changed (int_customer_purchase_totals), so this model reads one row per
    customer, not every purchase day.
      frequency             purchase days after the first (repeat purchases)
      recency_weeks         weeks from the first purchase day to the last
      age_weeks             weeks from the first purchase day to as_of_date
      age_days              the same in days: with frequency, the key of the
                            purchase curves (ml_customer_value_curves)
      average_repeat_value  mean value of the repeat purchase days (null
                            without one: the models use the population's)
    Keyed by the order state's integer customer_key, not the text id: the
    readers that need the id (the fit sample, customer_value) join it from
    the customers they start from. It reads the purchase totals only, not
    the order metrics, so it runs beside them; customer_value nets the
    predicted value of returns from the customer's revenue columns. The
    backtest's summary as of the calibration cut-off is computed for the
    fit sample only (ml_value_fit_sample).

    A view: it is computed from one row per customer in a few hundredths of
    a second at 1M customers, while writing it as a table took about 1 s of
    the build; its readers (the fit sample, the purchase curves, the scores)
    each read it once.
-#}
{{ config(materialized='view') }}

with

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

totals as (

    select
        customer_key,
        first_purchase_date,
        last_purchase_date,
        purchase_days,
        -- Exact cents (the state sums days rounded to them): the repeat value
        -- below rounds the same way every build.
        cast(total_value as decimal(18, 2)) as total_value,
        cast(first_day_value as decimal(18, 2)) as first_day_value
    from {{ ref('int_customer_purchase_totals') }}

)

select
    totals.customer_key,
    totals.first_purchase_date,
    totals.last_purchase_date,
    cast(totals.purchase_days - 1 as bigint) as frequency,
    cast({{ dbt.datediff('totals.first_purchase_date', 'totals.last_purchase_date', 'day') }}
        as {{ type_double() }}) / 7 as recency_weeks,
    cast({{ dbt.datediff('totals.first_purchase_date', 'as_of.as_of_date', 'day') }}
        as {{ type_double() }}) / 7 as age_weeks,
    cast({{ dbt.datediff('totals.first_purchase_date', 'as_of.as_of_date', 'day') }}
        as bigint) as age_days,
    case when totals.purchase_days > 1
        then cast(totals.total_value - totals.first_day_value as {{ type_double() }})
            / (totals.purchase_days - 1)
    end as average_repeat_value,
    as_of.as_of_date
from totals
cross join as_of
