{#-
    What the customer-value models (BG/NBD, Gamma-Gamma: docs/methods.md) read
    of each customer with a purchase: the summary of its purchase days, in
    weeks, at two cut-offs.

    A purchase day (int_customer_purchase_days, kept between builds in the
    order state) is a day with at least one purchase order in the window
    (several orders on one day are one purchase, as in the models' papers);
    its value is the day's purchase amount.
      frequency             purchase days after the first (repeat purchases)
      recency_weeks         weeks from the first purchase day to the last
      age_weeks             weeks from the first purchase day to as_of_date
      age_days              the same in days: with frequency, the key of the
                            purchase curves (ml_customer_value_curves)
      average_repeat_value  mean value of the repeat purchase days (null
                            without one: the models use the population's)
    It reads the purchase days only, not the order metrics, so it runs beside
    them; customer_value nets the predicted value of returns from the customer's
    revenue columns.
    The calibration columns are the same summary as of as_of_date minus var
    value_holdout_days, for the customers whose first purchase is by then,
    and holdout_purchases the purchase days after it: the backtest fits on
    the first and predicts the second.
-#}
{%- set holdout_days = checked_var('value_holdout_days') %}

with

as_of as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date) as calibration_end
    from {{ ref('int_as_of_date') }}

),

purchase_days as (

    select
        customer_key,
        purchase_date,
        -- Exact cents (each day's value is rounded to them): the sums below
        -- stay exact whatever order the engine adds them in, so an average
        -- that lands on a half cent rounds the same way every build.
        cast(day_value as decimal(18, 2)) as day_value
    from {{ ref('int_customer_purchase_days') }}

),

-- The first day's value from first_by and the repeat value as the total less
-- it: no window function over every purchase day.
per_customer as (

    select
        purchase_days.customer_key,
        min(purchase_days.purchase_date) as first_purchase_date,
        max(purchase_days.purchase_date) as last_purchase_date,
        count(*) as purchase_days,
        sum(purchase_days.day_value) as total_value,
        {{ first_by('purchase_days.day_value', 'purchase_days.purchase_date') }} as first_day_value,
        sum(case when purchase_days.purchase_date <= as_of.calibration_end then 1 else 0 end)
            as calibration_purchase_days,
        max(case when purchase_days.purchase_date <= as_of.calibration_end
            then purchase_days.purchase_date end) as calibration_last_purchase_date,
        sum(case when purchase_days.purchase_date <= as_of.calibration_end
            then purchase_days.day_value end) as calibration_total_value
    from purchase_days
    cross join as_of
    group by purchase_days.customer_key

),

customers as (

    select customer_id, customer_key from {{ ref('int_customers_cleaned') }}

)

select
    customers.customer_id,
    per_customer.first_purchase_date,
    per_customer.last_purchase_date,
    cast(per_customer.purchase_days - 1 as bigint) as frequency,
    cast({{ dbt.datediff('per_customer.first_purchase_date', 'per_customer.last_purchase_date', 'day') }}
        as {{ type_double() }}) / 7 as recency_weeks,
    cast({{ dbt.datediff('per_customer.first_purchase_date', 'as_of.as_of_date', 'day') }}
        as {{ type_double() }}) / 7 as age_weeks,
    cast({{ dbt.datediff('per_customer.first_purchase_date', 'as_of.as_of_date', 'day') }}
        as bigint) as age_days,
    case when per_customer.purchase_days > 1
        then cast(per_customer.total_value - per_customer.first_day_value as {{ type_double() }})
            / (per_customer.purchase_days - 1)
    end as average_repeat_value,
    as_of.as_of_date,
    as_of.calibration_end,
    per_customer.first_purchase_date <= as_of.calibration_end as in_calibration,
    case when per_customer.first_purchase_date <= as_of.calibration_end
        then cast(per_customer.calibration_purchase_days - 1 as bigint) end as calibration_frequency,
    case when per_customer.first_purchase_date <= as_of.calibration_end
        then cast({{ dbt.datediff('per_customer.first_purchase_date', 'per_customer.calibration_last_purchase_date', 'day') }}
            as {{ type_double() }}) / 7 end as calibration_recency_weeks,
    case when per_customer.first_purchase_date <= as_of.calibration_end
        then cast({{ dbt.datediff('per_customer.first_purchase_date', 'as_of.calibration_end', 'day') }}
            as {{ type_double() }}) / 7 end as calibration_age_weeks,
    case when per_customer.calibration_purchase_days > 1
        then cast(per_customer.calibration_total_value - per_customer.first_day_value
            as {{ type_double() }})
            / (per_customer.calibration_purchase_days - 1)
    end as calibration_average_repeat_value,
    case when per_customer.first_purchase_date <= as_of.calibration_end
        then cast(per_customer.purchase_days - per_customer.calibration_purchase_days as bigint)
    end as holdout_purchases
from per_customer
inner join customers on per_customer.customer_key = customers.customer_key
cross join as_of
