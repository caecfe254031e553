{{ config(materialized='view') }}

{#-
    Every customer's public segment id under the primary method (var
    primary_method): the scores joined to their public numbering. One
    definition for the models that describe segments before the marts exist
    (deviations, rule sample); a view, so it costs nothing to keep.
-#}
select
    scores.customer_id,
    numbering.cluster_id as segment_id
from {{ ref('ml_customer_cluster_scores') }} as scores
inner join {{ ref('ml_cluster_numbering') }} as numbering
    on scores.method = numbering.method
    and scores.cluster_index = numbering.cluster_index
where scores.method = {{ sql_string(checked_var('primary_method')) }}
