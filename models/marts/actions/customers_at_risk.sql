{#-
    Retention list: valuable customers with a purchase rhythm who are overdue
    against it, most revenue at stake first. A customer is listed when
      - they have at least two purchases (so a usual gap exists) and have been
        a customer at least var('at_risk_min_tenure_days') (default 90) days,
        so the gap is a rhythm rather than two orders in one week,
      - their RFM monetary score is at least var('at_risk_min_monetary_score')
        (default 4: the top two fifths of buyers by net revenue), and
      - their days since the last purchase exceed var('at_risk_gap_multiple')
        (default 2) x their mean days between purchases, and never fall
        within one usual gap, whatever the var says, nor within
        var('at_risk_min_recency_days') (default 30) days: a customer who
        buys every few days and paused for a fortnight is not a retention
        case yet.
    Ranked by value at risk (customer_value): the predicted 12-month value
    lost if the customer has dropped out, (1 - probability alive) x the value
    of an active customer, from the BG/NBD and Gamma-Gamma models. Without a
    value model (customer_value_model says why) the list is ranked by the
    historical revenue at stake below, which every row also carries.
    Revenue at stake is the customer's net revenue per year of tenure, with
    tenure counted as at least one year:
        monetary / greatest(tenure_days / 365.25, 1)
    It is what they have been worth per year on average, so it is never more
    than their lifetime net revenue, nor than a year at their historical
    rate; a customer younger than a year is credited with what they spent so
    far, not with an extrapolation of a few weeks.
-#}
{%- set gap_multiple = checked_var('at_risk_gap_multiple') %}
{%- set min_monetary_score = checked_var('at_risk_min_monetary_score') %}
{%- set min_tenure_days = checked_var('at_risk_min_tenure_days') %}
{%- set min_recency_days = checked_var('at_risk_min_recency_days') %}

with

customers as (

    select * from {{ ref('dim_customer_segments') }}

),

customer_values as (

    select customer_id, probability_alive, predicted_value_12m, value_at_risk
    from {{ ref('customer_value') }}

),

rfm as (

    select customer_id, monetary_score, rfm_segment from {{ ref('customer_rfm') }}

),

candidates as (

    select
        customers.customer_id,
        customers.segment_id,
        customers.segment_name,
        rfm.rfm_segment,
        rfm.monetary_score,
        customers.recency_days,
        customers.purchase_cadence_days,
        customers.recency_days / customers.purchase_cadence_days as gap_ratio,
        customers.frequency,
        customers.monetary,
        customers.tenure_days,
        customers.monetary / greatest(customers.tenure_days / 365.25, 1)
            as revenue_at_stake_per_year,
        customer_values.probability_alive,
        customer_values.predicted_value_12m,
        customer_values.value_at_risk
    from customers
    inner join rfm on customers.customer_id = rfm.customer_id
    left join customer_values on customers.customer_id = customer_values.customer_id
    where customers.frequency >= 2
        and customers.tenure_days >= {{ min_tenure_days }}
        and customers.purchase_cadence_days > 0
        and rfm.monetary_score >= {{ min_monetary_score }}
        and customers.recency_days > {{ gap_multiple }} * customers.purchase_cadence_days
        and customers.recency_days > customers.purchase_cadence_days
        and customers.recency_days > {{ min_recency_days }}

)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(
        row_number() over (order by
            case when value_at_risk is null then 1 else 0 end,
            value_at_risk desc, revenue_at_stake_per_year desc, customer_id) as integer
    ) as risk_rank,
    cast(segment_id as integer) as segment_id,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
    cast(recency_days as integer) as recency_days,
    cast(round(purchase_cadence_days, 2) as double) as usual_gap_days,
    cast(round(gap_ratio, 3) as double) as gap_ratio,
    cast(frequency as integer) as frequency,
    cast(monetary as double) as monetary,
    cast(tenure_days as integer) as tenure_days,
    cast(round(revenue_at_stake_per_year, 2) as double) as revenue_at_stake_per_year,
    cast(probability_alive as double) as probability_alive,
    cast(predicted_value_12m as double) as predicted_value_12m,
    cast(value_at_risk as double) as value_at_risk
from candidates
