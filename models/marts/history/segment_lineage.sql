{#-
    For each run, each segment: which segment of the previous run it
    continues (ml_segment_matching), how far apart their centres are, and its
    size and revenue in that run.
-#}

with

current_run as (

    select run_id from {{ ref('ml_current_run') }}

),

previous_run as (

    select run_id from {{ ref('ml_previous_run') }}

),

profiles as (

    select * from {{ ref('segment_profiles') }}

),

matching as (

    select * from {{ ref('ml_segment_matching') }}

),

numbering as (

    select cluster_id, cluster_index
    from {{ ref('ml_cluster_numbering') }}
    where method = {{ sql_string(checked_var('primary_method')) }}

)

select
    cast(current_run.run_id as integer) as run_id,
    cast(profiles.segment_id as integer) as segment_id,
    cast(profiles.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(numbering.cluster_index as integer) as cluster_index,
    cast(coalesce(
        matching.lineage_status,
        case
            when profiles.segment_id = 0 then 'noise'
            when profiles.segment_id = {{ no_purchase_segment_id() }} then 'no_purchase'
        end
    ) as {{ dbt.type_string() }}) as lineage_status,
    cast((select max(run_id) from previous_run) as integer) as previous_run_id,
    cast(matching.previous_segment_id as integer) as previous_segment_id,
    cast(matching.previous_segment_name as {{ dbt.type_string() }}) as previous_segment_name,
    cast(round(matching.match_distance, 6) as double) as match_distance,
    cast(profiles.customers as integer) as customers,
    cast(profiles.customer_share as double) as customer_share,
    cast(profiles.revenue as double) as revenue
from profiles
cross join current_run
left join matching on profiles.segment_id = matching.stable_segment_id
left join numbering on profiles.segment_id = numbering.cluster_id
