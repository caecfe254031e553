{#-
    The customers the value models (ml_customer_value_model) are fitted on:
    every customer with a purchase up to var fit_sample_size, beyond that the
    same deterministic pseudo-random sample as the segment fit (ordered by
    sample_key, a hash of customer_id), so the fit's time and memory stay
    flat as the customer base grows. Every customer is then scored
    (ml_customer_value_scores).

    Beside each sampled customer's summary (int_customer_value_summary), the
    same summary as of the backtest's cut-off, as_of_date minus var
    value_holdout_days, for the customers whose first purchase is by then,
    and holdout_purchases the purchase days after it: the backtest fits on
    the first and predicts the second. Only the sample is backtested, so it
    is computed here from the sampled customers' purchase days, not for
    every customer.
-#}
{%- set holdout_days = checked_var('value_holdout_days') %}

with

-- The first rows in the sample order (sample_key, a hash of customer_id
-- stored once per customer): a top-n, cheaper than numbering every customer.
sampled as (

    select customers.customer_id, customers.sample_key, summary.*
    from {{ ref('int_customer_value_summary') }} as summary
    inner join {{ ref('int_customers_cleaned') }} as customers
        on summary.customer_key = customers.customer_key
    order by customers.sample_key, customers.customer_id
    limit {{ checked_var('fit_sample_size') }}

),

cutoff as (

    select cast({{ dbt.dateadd('day', -holdout_days, 'as_of_date') }} as date) as calibration_end
    from {{ ref('int_as_of_date') }}

),

-- The sampled customers' purchase days up to the cut-off, summed as
-- int_customer_purchase_totals sums them all (exact cents). A semi-join:
-- as an inner join DuckDB built its hash table on the 7.5M purchase days
-- instead of the 50k sampled keys, three times slower at 1M customers.
calibration as (

    select
        purchase_days.customer_key,
        count(*) as purchase_days,
        max(purchase_days.purchase_date) as last_purchase_date,
        sum(cast(purchase_days.day_value as decimal(18, 2))) as total_value,
        {{ first_by('cast(purchase_days.day_value as decimal(18, 2))', 'purchase_days.purchase_date') }}
            as first_day_value
    from {{ ref('int_customer_purchase_days') }} as purchase_days
    cross join cutoff
    where purchase_days.purchase_date <= cutoff.calibration_end
        and purchase_days.customer_key in (select customer_key from sampled)
    group by purchase_days.customer_key

)

select
    sampled.*,
    cutoff.calibration_end,
    sampled.first_purchase_date <= cutoff.calibration_end as in_calibration,
    cast(calibration.purchase_days - 1 as bigint) as calibration_frequency,
    cast({{ dbt.datediff('sampled.first_purchase_date', 'calibration.last_purchase_date', 'day') }}
        as {{ type_double() }}) / 7 as calibration_recency_weeks,
    case when sampled.first_purchase_date <= cutoff.calibration_end
        then cast({{ dbt.datediff('sampled.first_purchase_date', 'cutoff.calibration_end', 'day') }}
            as {{ type_double() }}) / 7 end as calibration_age_weeks,
    case when calibration.purchase_days > 1
        then cast(calibration.total_value - calibration.first_day_value as {{ type_double() }})
            / (calibration.purchase_days - 1)
    end as calibration_average_repeat_value,
    case when sampled.first_purchase_date <= cutoff.calibration_end
        then cast(sampled.frequency + 1 - calibration.purchase_days as bigint)
    end as holdout_purchases,
    row_number() over (order by sampled.sample_key, sampled.customer_id) as sample_rank
from sampled
cross join cutoff
left join calibration on sampled.customer_key = calibration.customer_key
