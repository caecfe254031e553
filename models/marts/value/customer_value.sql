{#-
    Each accepted customer's predicted value (docs/methods.md, customer
    value): the probability of still being active, the purchases expected in
    the next 90 and 365 days, the expected value of a purchase, the value of
    the next 12 months discounted at var value_discount_rate and net of the
    customer's share of returns (kept_share: a serial returner's purchases
    are not worth their price), and the value at
    risk, what dropping out would cost: predicted_value_12m is
    probability_alive x the value of an active customer, so the value at risk
    is (1 - probability_alive) x that value.

    value_basis says where the numbers come from: 'model' (BG/NBD and
    Gamma-Gamma, also for a customer with one purchase, who gets the model's
    values), 'no purchase yet' (no first purchase to predict repeat ones
    from: the value columns are null), or 'no model: <why>' when the data
    could not support a fit (too few repeat buyers, ...): then every
    customer's value columns are null and the reason is here.

    It reads the run's customers (int_customer_features), not the segments:
    a customer's value does not depend on the segmentation, so the layer
    runs beside the clustering instead of after it. Join
    dim_customer_segments on customer_id for the segment.
-#}

with

-- The run's customers: one row each, as in dim_customer_segments.
customers as (

    select
        customer_id,
        customer_key,
        -- Net of returns: returns are orders of their own, so the share of
        -- what the customer paid that was not refunded (1 - refunds /
        -- purchases up to as_of_date, within [0, 1]) comes from their
        -- revenue, in cents as dim_customer_segments shows it.
        case
            when round(gross_revenue, 2) > 0
                then greatest(0, least(1, 1 - cast(round(refunded_amount, 2) as {{ type_double() }})
                    / cast(round(gross_revenue, 2) as {{ type_double() }})))
            else 0
        end as kept_share
    from {{ ref('int_customer_features') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

scores as (

    select * from {{ ref('ml_customer_value_scores') }}

),

value_model as (

    select status, reason
    from {{ ref('ml_customer_value_model') }}
    where purpose = 'score'

)

select
    cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(as_of.as_of_date as date) as as_of_date,
    cast(case
        when scores.customer_key is null then 'no purchase yet'
        when value_model.status = 'fitted' then 'model'
        else {{ dbt.concat(["'no model: '", 'value_model.reason']) }}
    end as {{ dbt.type_string() }}) as value_basis,
    cast(scores.frequency as bigint) as repeat_purchases,
    cast(round(scores.recency_weeks, 4) as {{ type_double() }}) as recency_weeks,
    cast(round(scores.age_weeks, 4) as {{ type_double() }}) as age_weeks,
    cast(round(scores.average_repeat_value, 2) as {{ type_double() }}) as average_repeat_value,
    cast(round(scores.probability_alive, 6) as {{ type_double() }}) as probability_alive,
    cast(round(scores.expected_purchases_90d, 4) as {{ type_double() }}) as expected_purchases_90d,
    cast(round(scores.expected_purchases_365d, 4) as {{ type_double() }}) as expected_purchases_365d,
    cast(round(scores.expected_average_value, 2) as {{ type_double() }}) as expected_average_value,
    cast(round(case when scores.customer_key is not null then customers.kept_share end, 4)
        as {{ type_double() }}) as kept_share,
    cast(round(scores.predicted_value_12m * customers.kept_share, 2) as {{ type_double() }}) as predicted_value_12m,
    cast(round(case when scores.probability_alive > 0
        then (1 - scores.probability_alive) * scores.predicted_value_12m * customers.kept_share
            / scores.probability_alive
    end, 2) as {{ type_double() }}) as value_at_risk
from customers
left join scores on customers.customer_key = scores.customer_key
cross join as_of
cross join value_model
