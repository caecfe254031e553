{#-
    Every customer with a purchase scored with the stored value model
    (ml_customer_value_model, purpose score; docs/methods.md, customer value):
    probability alive and expected purchase value from their closed forms
    (macros/value), times what a customer still active is expected to buy
    (ml_customer_value_curves, by repeat purchases and age). One row per
    customer of the value summary, by customer_key, with the summary's
    inputs beside the scores, so customer_value joins the summary once; the
    scores are null without a fitted model. Ephemeral: a part of customer_value, where its
    rows are tested; segmentation.value.score_customers is the same in Python.
-#}
{{ config(materialized='ephemeral') }}

with

summary as (

    select customer_key, frequency, recency_weeks, age_weeks, age_days, average_repeat_value
    from {{ ref('int_customer_value_summary') }}

),

value_model as (

    select r, alpha, a, b, p, q, gamma
    from {{ ref('ml_customer_value_model') }}
    where purpose = 'score' and status = 'fitted'

),

curves as (

    select * from {{ ref('ml_customer_value_curves') }}

),

closed_forms as (

    select
        summary.customer_key,
        summary.frequency,
        summary.recency_weeks,
        summary.age_weeks,
        summary.age_days,
        summary.average_repeat_value,
        case when value_model.r is not null then
            {{ bgnbd_probability_alive('value_model', 'summary.frequency',
                'summary.recency_weeks', 'summary.age_weeks') }}
        end as probability_alive,
        {{ gamma_gamma_expected_value('value_model', 'summary.frequency',
            'summary.average_repeat_value') }} as expected_average_value
    from summary
    -- No model, no scores: the summary's rows stay, with null parameters.
    left join value_model on 1 = 1

)

select
    closed_forms.customer_key,
    closed_forms.frequency,
    closed_forms.recency_weeks,
    closed_forms.age_weeks,
    closed_forms.average_repeat_value,
    closed_forms.probability_alive,
    curves.purchases_if_alive_90d * closed_forms.probability_alive as expected_purchases_90d,
    curves.purchases_if_alive_365d * closed_forms.probability_alive as expected_purchases_365d,
    closed_forms.expected_average_value,
    curves.discounted_purchases_if_alive_12m * closed_forms.probability_alive
        * closed_forms.expected_average_value as predicted_value_12m
from closed_forms
left join curves
    on closed_forms.frequency = curves.frequency
    and closed_forms.age_days = curves.age_days
