{{ config(enabled=method_enabled('kprototypes')) }}

{#-
    Every customer scored against the k-prototypes in SQL: the squared
    distance over the numeric inputs plus gamma for each categorical feature
    whose category differs from the prototype's; the nearest prototype wins
    (ties to the lower index). distance_to_centroid is the square root of that
    cost. Empty when no categorical feature is clustered on.
-#}
{%- set inputs = model_inputs() %}
{%- set sources = categorical_sources() %}

with

customers as (

    select
        scaled.customer_id
        {%- for input in inputs if input.encoding != 'one_hot' %},
        scaled.{{ input.name }}
        {%- endfor %}
        {%- for source, levels in sources.items() %},
        {{ categorical_level('features.' ~ source, levels) }} as {{ source }}
        {%- endfor %}
    from {{ ref('ml_customer_features_scaled') }} as scaled
    inner join {{ ref('int_customer_features') }} as features
        on scaled.customer_id = features.customer_id

),

prototypes as (

    select * from {{ ref('ml_kprototypes_models') }}

){% if sources %},

distances as (

    select
        customers.customer_id,
        'kprototypes' as method,
        prototypes.cluster_index,
        sqrt(
            {%- for input in inputs if input.encoding != 'one_hot' %}
            {{ integer_power('customers.' ~ input.name ~ ' - prototypes.' ~ input.name, 2) }} +
            {%- endfor %}
            prototypes.gamma * (
                {%- for source in sources %}
                {{ '+ ' if not loop.first }}case when customers.{{ source }} = prototypes.{{ source }} then 0 else 1 end
                {%- endfor %}
            )
        ) as distance_to_centroid
    from customers
    cross join prototypes

)

{{ nearest_centroid('distances') }}
{% else %}

select
    customer_id,
    'kprototypes' as method,
    cast(null as integer) as cluster_index,
    cast(null as {{ type_double() }}) as distance_to_centroid
from customers
where 1 = 0
{% endif %}
