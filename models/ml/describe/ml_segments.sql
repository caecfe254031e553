{{ config(materialized='view') }}

{#-
    The segments of this run, one row each: the clusters of the primary method
    (var primary_method) under their public ids, and, when some customers are
    not clustered (with orders, those without a completed purchase), the No
    Purchase Yet group (no_purchase_segment_id()). The one list the models
    that name and describe segments start from.
-#}
select
    cluster_id as segment_id,
    true as is_cluster
from {{ ref('ml_cluster_numbering') }}
where method = {{ sql_string(checked_var('primary_method')) }}

union all

select
    {{ no_purchase_segment_id() }} as segment_id,
    false as is_cluster
from (
    select count(*) as customers
    from {{ ref('int_customer_features') }}
    where not is_clustered
) as not_clustered
where not_clustered.customers > 0
