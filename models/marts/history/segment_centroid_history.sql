{#-
    Each run's segment centres, one row per segment and model input: the
    members' mean in business units (comparable from run to run, whatever
    each run's transformation), what the next refit is matched against
    (ml_previous_segments).
-#}

with

current_run as (

    select run_id from {{ ref('ml_current_run') }}

),

numbering as (

    select run_cluster_id, cluster_id
    from {{ ref('ml_cluster_numbering') }}
    where method = {{ sql_string(checked_var('primary_method')) }}

)

select
    cast(current_run.run_id as integer) as run_id,
    cast(numbering.cluster_id as integer) as segment_id,
    cast(centroids.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(centroids.centroid_value as double) as centroid_value,
    cast(centroids.standardized_value as double) as standardized_value
from {{ ref('ml_run_segment_centroids') }} as centroids
inner join numbering on centroids.cluster_id = numbering.run_cluster_id
cross join current_run
