{#-
    What the surrogate rules are fitted on: the fit-sample customers (at most
    var fit_sample_size), their segment of the primary method, and the
    numeric clustering features in business units, so rules read as
    "recency_days <= 30 and frequency >= 12". Without a numeric clustering
    feature (only categories) the numeric profile features describe instead.
-#}
{%- set catalog = feature_catalog() %}
{%- set features = [] %}
{%- for name in selected_features().names %}
    {%- if catalog[name].kind == 'numeric' %}{% do features.append(name) %}{% endif %}
{%- endfor %}
{%- if not features %}{% set features = profile_features() %}{% endif %}

with

sample as (

    select customer_id from {{ ref('ml_fit_sample') }}

),

segments as (

    select customer_id, segment_id from {{ ref('ml_primary_segment_assignments') }}

),

features as (

    select * from {{ ref('int_customer_features') }}

)

select
    sample.customer_id,
    segments.segment_id
    {%- for feature in features %},
    cast(features.{{ feature }} as {{ dbt.type_float() }}) as {{ feature }}
    {%- endfor %}
from sample
inner join segments on sample.customer_id = segments.customer_id
inner join features on sample.customer_id = features.customer_id
