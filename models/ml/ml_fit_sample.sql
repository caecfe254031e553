{#-
    The rows the Python models fit on: every customer up to
    var('fit_sample_size'), beyond that a deterministic pseudo-random sample
    (ordered by a hash of customer_id). Fitting on a bounded sample keeps the
    fit's time and memory flat as the customer base grows; every customer is
    then scored in SQL against the fitted centroids.
-#}
{%- set inputs = model_inputs() %}

with

scaled as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

ranked as (

    select
        *,
        row_number() over (order by {{ dbt.hash('customer_id') }}, customer_id) as sample_rank
    from scaled

)

select
    customer_id
    {%- for input in inputs %},
    {{ input.name }}
    {%- endfor %}
from ranked
where sample_rank <= {{ var('fit_sample_size') | int }}
