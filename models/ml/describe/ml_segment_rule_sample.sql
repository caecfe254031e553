{#-
    What the surrogate rules are fitted on: at most var fit_sample_size
    clustered customers, chosen by a hash of customer_id like the fit sample
    (in a fit build, the same customers), their segment of the primary
    method in this build, and the numeric clustering features in business
    units, so rules read as "recency_days <= 30 and frequency >= 12". The
    rules describe this build's segments, so a score build refits them on
    its own assignments: their precision and coverage are true of today's
    members. Without a numeric clustering feature (only categories) the
    numeric profile features describe instead.
-#}
{%- set catalog = feature_catalog() %}
{%- set features = [] %}
{%- for name in selected_features().names %}
    {%- if catalog[name].kind == 'numeric' %}{% do features.append(name) %}{% endif %}
{%- endfor %}
{%- if not features %}{% set features = profile_features() %}{% endif %}

with

ranked as (

    select
        customer_id,
        segment_id,
        row_number() over (order by {{ sample_order_key('customer_id') }}, customer_id) as sample_rank
    from {{ ref('ml_primary_segment_assignments') }}

),

segments as (

    select customer_id, segment_id
    from ranked
    where sample_rank <= {{ checked_var('fit_sample_size') | int }}

),

features as (

    select * from {{ ref('int_customer_features') }}

)

select
    segments.customer_id,
    segments.segment_id
    {%- for feature in features %},
    cast(features.{{ feature }} as {{ type_double() }}) as {{ feature }}
    {%- endfor %}
from segments
inner join features on segments.customer_id = features.customer_id
