{#-
    The customers the value models (ml_customer_value_model) are fitted on:
    every customer with a purchase up to var fit_sample_size, beyond that the
    same deterministic pseudo-random sample as the segment fit (ordered by a
    hash of customer_id), so the fit's time and memory stay flat as the
    customer base grows. Every customer is then scored
    (ml_customer_value_scores).
-#}
with

-- The first rows by hash: a top-n, cheaper than numbering every customer.
sampled as (

    select *
    from {{ ref('int_customer_value_summary') }}
    order by {{ dbt.hash('customer_id') }}, customer_id
    limit {{ checked_var('fit_sample_size') }}

)

select
    sampled.*,
    row_number() over (order by {{ dbt.hash('customer_id') }}, customer_id) as sample_rank
from sampled
