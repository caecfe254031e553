{#-
    Why a customer is in a segment: one row per (segment, feature) for every
    numeric feature the data has. For each: the segment's mean, the
    population's mean and standard deviation, the standardized difference
    (segment mean minus population mean, in population sd), and the feature's
    effect size across all segments (eta squared: the share of the feature's
    variance that lies between segments, 0..1). Clustering features carry
    their difference in the model's own units (after capping, log and
    scaling), and driver_rank orders them by its size: driver_rank <= 3 are a
    segment's top three drivers, the ones its name and description use.
    direction follows the model-units difference where there is one (as the
    name does), else the raw one.
-#}
{%- set features = profile_features() %}
{%- set clustering = selected_features().names %}

with

customers as (

    select * from {{ ref('dim_customer_segments') }}

),

model_space as (

    select * from {{ ref('ml_segment_feature_deviations') }}

),

-- One pass over the customers per grouping; the small results
-- (segments x features) are unpivoted afterwards.
segment_wide as (

    select
        segment_id
        {%- for feature in features %},
        count({{ feature }}) as n_{{ feature }},
        avg(cast({{ feature }} as {{ type_double() }})) as mean_{{ feature }}
        {%- endfor %}
    from customers
    group by segment_id

),

population_wide as (

    select
        {%- for feature in features %}
        count({{ feature }}) as n_{{ feature }},
        avg(cast({{ feature }} as {{ type_double() }})) as mean_{{ feature }},
        stddev_pop(cast({{ feature }} as {{ type_double() }})) as sd_{{ feature }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from customers

),

per_segment as (

    {%- for feature in features %}
    select
        segment_id,
        '{{ feature }}' as feature_name,
        n_{{ feature }} as customers_with_value,
        mean_{{ feature }} as segment_mean
    from segment_wide
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

population as (

    {%- for feature in features %}
    select
        '{{ feature }}' as feature_name,
        n_{{ feature }} as customers_with_value,
        mean_{{ feature }} as population_mean,
        sd_{{ feature }} as population_sd
    from population_wide
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

effect_sizes as (

    -- eta squared = between-segment sum of squares / total sum of squares.
    select
        per_segment.feature_name,
        sum(
            per_segment.customers_with_value
            * (per_segment.segment_mean - population.population_mean)
            * (per_segment.segment_mean - population.population_mean)
        ) / (
            max(population.customers_with_value)
            * max(population.population_sd) * max(population.population_sd)
        ) as eta_squared
    from per_segment
    inner join population on per_segment.feature_name = population.feature_name
    where population.population_sd > 0
    group by per_segment.feature_name

),

final as (

    select
        per_segment.segment_id,
        per_segment.feature_name,
        per_segment.feature_name in {{ sql_string_list(clustering) }} as is_clustering_feature,
        per_segment.segment_mean,
        population.population_mean,
        population.population_sd,
        (per_segment.segment_mean - population.population_mean) / population.population_sd
            as standardized_difference,
        model_space.standardized_difference as model_space_difference,
        effect_sizes.eta_squared,
        model_space.driver_rank
    from per_segment
    inner join population on per_segment.feature_name = population.feature_name
    inner join effect_sizes on per_segment.feature_name = effect_sizes.feature_name
    left join model_space
        on per_segment.segment_id = model_space.segment_id
        and per_segment.feature_name = model_space.feature_name
    -- Features the data does not have (all null) or that do not vary say nothing.
    where population.population_sd > 0

)

select
    cast(final.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(final.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(final.is_clustering_feature as boolean) as is_clustering_feature,
    cast(round(final.segment_mean, 6) as double) as segment_mean,
    cast(round(final.population_mean, 6) as double) as population_mean,
    cast(round(final.population_sd, 6) as double) as population_sd,
    cast(round(final.standardized_difference, 6) as double) as standardized_difference,
    -- The model's view where there is one: on heavy-tailed spend a few
    -- large spenders lift the population's raw mean above a segment most of
    -- whose members spend above the median; the raw sign would then say
    -- "low" beside a name that says "Big Spenders".
    cast(
        case
            when coalesce(final.model_space_difference, final.standardized_difference) >= 0
                then 'high'
            else 'low'
        end
        as {{ dbt.type_string() }}
    ) as direction,
    cast(round(final.model_space_difference, 6) as double) as model_space_difference,
    cast(round(final.eta_squared, 6) as double) as eta_squared,
    cast(final.driver_rank as integer) as driver_rank
from final
inner join {{ ref('ml_segment_names') }} as names on final.segment_id = names.segment_id
