{{ config(materialized='ephemeral', enabled=method_enabled('gmm')) }}

{#-
    Every customer scored against the chosen Gaussian mixture in SQL, with the
    parameters ml_gmm_models stored (read at compile time):
        log p(x, c) = ln(weight_c) + log_det_c - d/2 ln(2 pi)
                      - 1/2 sum_j ( sum_{i <= j} (x_i - mean_ci) * L_cij )^2
    The customer's component is the most likely one (ties to the lower index);
    membership_probability is its posterior, p(x, c) / sum over c' of
    p(x, c'), computed stably from the differences to the largest term.
    distance_to_centroid is the Euclidean distance to the component mean.
    Ephemeral: it is one branch of ml_customer_cluster_scores, which writes
    every method's scores in one table (a table of its own cost a second of
    writing and reading 1M rows at 1M customers).
-#}
{%- set inputs = model_inputs() %}
{%- set components = gmm_components() %}
{%- set d = inputs | length %}

with

customers as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

{% if components %}
log_joint as (

    select
        customer_id
        {%- for c in components %},
        ln({{ float_literal(c.weight) }}) + {{ float_literal(c.log_det) }} - {{ float_literal(0.5 * d * 1.8378770664093453) }} - 0.5 * (
            {%- for j in range(d) %}
            {%- set whitened -%}
                {%- for i in range(j + 1) %}
                {{ '+ ' if not loop.first }}(customers.{{ inputs[i].name }} - {{ float_literal(c.means[i]) }}) * {{ float_literal(c.chol[i ~ '_' ~ j]) }}
                {%- endfor %}
            {%- endset %}
            {{ '+ ' if not loop.first }}{{ integer_power(whitened, 2) }}
            {%- endfor %}
        ) as log_joint_{{ c.index }},
        sqrt(
            {%- for i in range(d) %}
            {{ '+ ' if not loop.first }}{{ integer_power('customers.' ~ inputs[i].name ~ ' - ' ~ float_literal(c.means[i]), 2) }}
            {%- endfor %}
        ) as distance_{{ c.index }}
        {%- endfor %}
    from customers

),

with_best as (

    select
        *,
        greatest({% for c in components %}log_joint_{{ c.index }}{{ ', ' if not loop.last }}{% endfor %}) as best_log_joint
    from log_joint

)

select
    customer_id,
    'gmm' as method,
    case
        {%- for c in components %}
        when log_joint_{{ c.index }} = best_log_joint then {{ c.index }}
        {%- endfor %}
    end as cluster_index,
    case
        {%- for c in components %}
        when log_joint_{{ c.index }} = best_log_joint then distance_{{ c.index }}
        {%- endfor %}
    end as distance_to_centroid,
    1.0 / (
        {%- for c in components %}
        {{ '+ ' if not loop.first }}exp(log_joint_{{ c.index }} - best_log_joint)
        {%- endfor %}
    ) as membership_probability
from with_best
{% else %}
-- Parsing, or no mixture fitted: an empty relation with the same columns.
select
    customer_id,
    'gmm' as method,
    cast(null as integer) as cluster_index,
    cast(null as {{ type_double() }}) as distance_to_centroid,
    cast(null as {{ type_double() }}) as membership_probability
from customers
where 1 = 0
{% endif %}
