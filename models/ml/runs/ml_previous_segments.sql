{#-
    The previous run's segments (see ml_previous_run), one row per segment and
    model input: their centres (means in business units) in this run's
    population standard deviations, the units of ml_run_segment_centroids, so
    they can be matched against this run's centres, and their names. An
    input this run no longer uses keeps its row with a null value, and an
    input new in this run has none: ml_segment_matching compares the feature
    sets. Empty on a first build.
-#}
-- depends_on: {{ ref('ml_previous_run') }}, {{ ref('ml_feature_population') }}
{%- set lineage = history_relation('segment_lineage') %}
{%- set centroids = history_relation('segment_centroid_history') %}

{%- if lineage is not none and centroids is not none %}

with

previous_run as (

    select run_id from {{ ref('ml_previous_run') }}

)

select
    cast(lineage.segment_id as integer) as previous_segment_id,
    lineage.segment_name as previous_segment_name,
    cast(lineage.cluster_index as integer) as previous_cluster_index,
    centroids.feature_name,
    -- Null for an input this run no longer has: ml_segment_matching then
    -- sees the changed feature set.
    case
        when population.feature_name is null then null
        when population.population_sd > 0
            then (centroids.centroid_value - population.population_mean) / population.population_sd
        else 0
    end as standardized_value
from previous_run
inner join {{ lineage }} as lineage
    on lineage.run_id = previous_run.run_id
inner join {{ centroids }} as centroids
    on centroids.run_id = previous_run.run_id
    and centroids.segment_id = lineage.segment_id
left join {{ ref('ml_feature_population') }} as population
    on centroids.feature_name = population.feature_name
where lineage.segment_id > 0

{%- else %}

select
    cast(null as integer) as previous_segment_id,
    cast(null as {{ dbt.type_string() }}) as previous_segment_name,
    cast(null as integer) as previous_cluster_index,
    cast(null as {{ dbt.type_string() }}) as feature_name,
    cast(null as {{ type_double() }}) as standardized_value
from {{ ref('ml_previous_run') }}
where 1 = 0

{%- endif %}
