{#-
    The value model's backtest by calibration purchases (Fader, Hardie and
    Lee 2005, figure 3): for the customers who made 0, 1, ... 6 and 7 or more
    repeat purchases before the cut-off, the mean purchase days predicted in
    the holdout against the mean they made. A model that tracks in total but
    not here gets the heavy buyers wrong. Empty when the backtest model could
    not be fitted.
-#}

with

backtest as (

    select
        least(calibration_repeat_purchases, 7) as repeat_purchases_group,
        predicted_holdout_purchases,
        actual_holdout_purchases
    from {{ ref('customer_value_backtest') }}

)

select
    cast(repeat_purchases_group as integer) as calibration_repeat_purchases,
    cast(case when repeat_purchases_group = 7 then '7+'
        else cast(repeat_purchases_group as {{ dbt.type_string() }}) end
        as {{ dbt.type_string() }}) as calibration_repeat_purchases_label,
    cast(count(*) as bigint) as customers,
    cast(round(avg(predicted_holdout_purchases), 4) as {{ type_double() }}) as mean_predicted_holdout_purchases,
    cast(round(avg(cast(actual_holdout_purchases as {{ type_double() }})), 4) as {{ type_double() }}) as mean_actual_holdout_purchases
from backtest
group by repeat_purchases_group
