{#-
    The value model's backtest, one row per customer it was run on
    (docs/methods.md, customer value): BG/NBD refitted on the purchases up to
    the cut-off (as_of_date minus var value_holdout_days) predicts each
    customer's purchase days in the holdout that follows, set beside the
    purchase days they made there. The customers are those of the bounded
    value fit sample (ml_value_fit_sample) whose first purchase is by the
    cut-off, so the backtest costs the same at any size. Empty when the
    backtest model could not be fitted (customer_value_model says why).
-#}

with

sample as (

    select * from {{ ref('ml_value_fit_sample') }}
    where in_calibration

),

backtest as (

    select * from {{ ref('ml_value_backtest_customers') }}

)

select
    cast(sample.customer_id as {{ dbt.type_string() }}) as customer_id,
    sample.calibration_end,
    sample.as_of_date,
    cast(sample.calibration_frequency as bigint) as calibration_repeat_purchases,
    cast(round(sample.calibration_recency_weeks, 4) as {{ type_double() }}) as calibration_recency_weeks,
    cast(round(sample.calibration_age_weeks, 4) as {{ type_double() }}) as calibration_age_weeks,
    cast(round(backtest.probability_alive, 6) as {{ type_double() }}) as probability_alive_at_cutoff,
    cast(round(backtest.predicted_holdout_purchases, 4) as {{ type_double() }}) as predicted_holdout_purchases,
    cast(sample.holdout_purchases as bigint) as actual_holdout_purchases
from sample
inner join backtest on sample.customer_id = backtest.customer_id
