{#-
    Mean and standard deviation of every model input over this run's
    clustered customers, in business units (see macro segment_profile_value): the yard
    stick segment centres of different runs are compared with.
-#}
-- The refs below are in a branch dbt does not take while parsing:
-- depends_on: {{ ref('int_customer_features') }}
-- depends_on: {{ ref('int_customer_category_mix') }}
{%- set inputs = model_inputs() %}
{%- if not inputs %}

-- No model input (ml_customer_features_scaled stops the build and says why).
select
    cast(null as {{ dbt.type_string() }}) as feature_name,
    cast(null as {{ type_double() }}) as population_mean,
    cast(null as {{ type_double() }}) as population_sd
where 1 = 0

{%- else %}

with

profile_values as (

    select
        {%- for input in inputs %}
        {{ segment_profile_value(input) }} as {{ input.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_customer_features') }} as features
    left join {{ ref('int_customer_category_mix') }} as category_mix
        on features.customer_id = category_mix.customer_id
    where features.is_clustered

),

statistics as (

    select
        {%- for input in inputs %}
        avg({{ input.name }}) as mean_{{ loop.index }},
        stddev_pop({{ input.name }}) as sd_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from profile_values

)

{%- for input in inputs %}
select
    '{{ input.name }}' as feature_name,
    mean_{{ loop.index }} as population_mean,
    sd_{{ loop.index }} as population_sd
from statistics
{{ 'union all' if not loop.last }}
{%- endfor %}
{%- endif %}
