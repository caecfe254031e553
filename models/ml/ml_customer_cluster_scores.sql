{{ config(materialized='view') }}

{#-
    Every customer's cluster under every method, one row per (customer,
    method): the scoring tables of each method side by side. Each method is
    scored in its own table as soon as its fit is done (ml_centroid_scores for
    kmeans and hierarchical, ml_gmm_scores, ml_dbscan_scores,
    ml_kprototypes_scores), so scoring runs beside the slower fits instead of
    after all of them; this view only puts them together.
-#}

select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ dbt.type_float() }}) as membership_probability
from {{ ref('ml_centroid_scores') }}

union all

-- The Gaussian mixture assigns by posterior probability, not distance.
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    membership_probability
from {{ ref('ml_gmm_scores') }}

union all

-- DBSCAN: cluster_index 0 is noise.
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ dbt.type_float() }}) as membership_probability
from {{ ref('ml_dbscan_scores') }}

union all

-- k-prototypes (only when categorical features are clustered on).
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ dbt.type_float() }}) as membership_probability
from {{ ref('ml_kprototypes_scores') }}
