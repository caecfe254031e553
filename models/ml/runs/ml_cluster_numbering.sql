{#-
    The public cluster_id of each fitted cluster. Every method keeps this
    run's numbering (ml_cluster_run_numbering: by revenue per customer),
    except the primary method (var primary_method), whose clusters are the
    segments: they take their stable segment id from ml_segment_matching, so a
    segment keeps its id (and name) across refits while it stays the same kind
    of group. DBSCAN's noise keeps id 0.
-#}

with

run_numbering as (

    select * from {{ ref('ml_cluster_run_numbering') }}

),

matching as (

    select cluster_id, stable_segment_id from {{ ref('ml_segment_matching') }}

)

select
    run_numbering.method,
    run_numbering.cluster_index,
    cast(coalesce(matching.stable_segment_id, run_numbering.cluster_id) as integer) as cluster_id,
    run_numbering.cluster_id as run_cluster_id,
    run_numbering.customers,
    run_numbering.revenue_per_customer
from run_numbering
left join matching
    on run_numbering.method = {{ sql_string(checked_var('primary_method')) }}
    and run_numbering.cluster_id = matching.cluster_id
