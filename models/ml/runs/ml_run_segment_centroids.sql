{#-
    The profile of each segment of this run (primary method, this run's own
    cluster numbering), one row per segment and model input: the mean of its
    customers in business units (centroid_value, see macro
    segment_profile_value) and that mean in this run's population standard
    deviations (standardized_value). Business units, not the model's
    transformed space, because a refit may transform a feature differently
    (log or not) and the centres must stay comparable from run to run. Means
    of the members work for every method (KMeans, Ward, mixture, DBSCAN,
    k-prototypes) alike. DBSCAN's noise is not a segment and has no centre.
-#}
{%- set inputs = model_inputs() %}

with

assigned as (

    select
        segments.cluster_id,
        segments.cluster_index
        {%- for input in inputs %},
        {{ segment_profile_value(input) }} as {{ input.name }}
        {%- endfor %}
    from {{ ref('int_customer_features') }} as features
    left join {{ ref('int_customer_category_mix') }} as category_mix
        on features.customer_id = category_mix.customer_id
    inner join {{ ref('ml_primary_run_segments') }} as segments
        on features.customer_id = segments.customer_id

),

means as (

    select
        cluster_id,
        min(cluster_index) as cluster_index,
        count(*) as customers
        {%- for input in inputs %},
        avg({{ input.name }}) as {{ input.name }}
        {%- endfor %}
    from assigned
    group by cluster_id

),

long_means as (

    {%- for input in inputs %}
    select
        cluster_id,
        cluster_index,
        customers,
        '{{ input.name }}' as feature_name,
        {{ input.name }} as centroid_value
    from means
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select
    cast(long_means.cluster_id as integer) as cluster_id,
    cast(long_means.cluster_index as integer) as cluster_index,
    cast(long_means.customers as integer) as customers,
    long_means.feature_name,
    round(long_means.centroid_value, 9) as centroid_value,
    round(case
        when population.population_sd > 0
            then (long_means.centroid_value - population.population_mean) / population.population_sd
        else 0
    end, 9) as standardized_value
from long_means
inner join {{ ref('ml_feature_population') }} as population
    on long_means.feature_name = population.feature_name
