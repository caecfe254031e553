{{ config(materialized='view') }}

{#-
    Every customer's segment under the primary method in this run's own
    numbering (ml_cluster_run_numbering), before stable ids: what this run's
    segments are matched on. DBSCAN's noise (0) is left out: it is not a
    segment to match. A view: its readers each make one pass.
-#}
select
    scores.customer_id,
    run_numbering.cluster_index,
    run_numbering.cluster_id
from {{ ref('ml_customer_cluster_scores') }} as scores
inner join {{ ref('ml_cluster_run_numbering') }} as run_numbering
    on scores.method = run_numbering.method
    and scores.cluster_index = run_numbering.cluster_index
where scores.method = {{ sql_string(checked_var('primary_method')) }}
    and run_numbering.cluster_id <> 0
