{{ config(enabled=method_enabled('kprototypes')) }}

{#-
    What k-prototypes is fitted on: the fit-sample customers with the numeric
    model inputs (standardized) and each categorical clustering feature as its
    category (folded like its one-hot columns: rare levels '__other__', nulls
    '__missing__'). Without a categorical clustering feature it is empty, and
    so are the k-prototypes models downstream.
-#}
{%- set inputs = model_inputs() %}
{%- set sources = categorical_sources() %}

with

sample as (

    select * from {{ ref('ml_fit_sample') }}

),

features as (

    select * from {{ ref('int_customer_features') }}

)

select
    sample.customer_id
    {%- for input in inputs if input.encoding != 'one_hot' %},
    sample.{{ input.name }}
    {%- endfor %}
    {%- for source, levels in sources.items() %},
    {{ categorical_level('features.' ~ source, levels) }} as {{ source }}
    {%- endfor %}
from sample
inner join features on sample.customer_id = features.customer_id
{%- if not sources %}
where 1 = 0
{%- endif %}
