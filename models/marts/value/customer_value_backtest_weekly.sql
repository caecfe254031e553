{#-
    The value model's backtest week by week, the chart a data scientist
    checks a buy-till-you-die model with (Fader, Hardie and Lee 2005, figure
    2): the cumulative purchase days the backtest customers
    (customer_value_backtest) were expected to make since the cut-off against
    the ones they made. Empty when the backtest model could not be fitted.
-#}

with

tracking as (

    select * from {{ ref('ml_value_backtest_tracking') }}

),

customers as (

    select customer_id, calibration_end
    from {{ ref('customer_value_backtest') }}

),

-- The sampled customers' keys in the order state (a bounded table: the
-- purchase days are joined to it, not to every customer).
keys as (

    select customer_key, customer_id from {{ ref('ml_value_fit_sample') }}

),

holdout_purchase_days as (

    select
        customers.customer_id,
        {{ dbt.datediff('customers.calibration_end', 'purchase_days.purchase_date', 'day') }} as days_after_cutoff
    from {{ ref('int_customer_purchase_days') }} as purchase_days
    inner join keys on purchase_days.customer_key = keys.customer_key
    inner join customers on keys.customer_id = customers.customer_id
    where purchase_days.purchase_date > customers.calibration_end

),

actual as (

    select
        tracking.holdout_week,
        count(holdout_purchase_days.customer_id) as actual_cumulative_purchases
    from tracking
    left join holdout_purchase_days
        on holdout_purchase_days.days_after_cutoff <= tracking.holdout_days
    group by tracking.holdout_week

),

cutoff as (

    select min(calibration_end) as calibration_end from customers

)

select
    cast(tracking.holdout_week as integer) as holdout_week,
    cast(tracking.holdout_days as integer) as holdout_days,
    cast({{ dbt.dateadd('day', 'tracking.holdout_days', 'cutoff.calibration_end') }} as date) as week_end_date,
    cast(round(tracking.expected_cumulative_purchases, 2) as {{ type_double() }}) as expected_cumulative_purchases,
    cast(actual.actual_cumulative_purchases as bigint) as actual_cumulative_purchases,
    cast(round(case when actual.actual_cumulative_purchases > 0
        then tracking.expected_cumulative_purchases / actual.actual_cumulative_purchases - 1
    end, 4) as {{ type_double() }}) as relative_error
from tracking
inner join actual on tracking.holdout_week = actual.holdout_week
cross join cutoff
