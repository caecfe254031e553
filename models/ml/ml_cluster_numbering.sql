{#-
    The public cluster_id of each fitted cluster, so that id 1 means the same
    kind of group from run to run: clusters are numbered by net revenue per
    customer, highest first; then (data without orders) by size, largest
    first; then by the fit's own index.
-#}

with

scores as (

    select * from {{ ref('ml_customer_cluster_scores') }}

),

features as (

    select customer_id, monetary from {{ ref('int_customer_features') }}

),

cluster_totals as (

    select
        scores.method,
        scores.cluster_index,
        count(*) as customers,
        round(avg(features.monetary), 6) as revenue_per_customer
    from scores
    inner join features on scores.customer_id = features.customer_id
    group by scores.method, scores.cluster_index

)

select
    method,
    cluster_index,
    row_number() over (
        partition by method
        order by revenue_per_customer desc, customers desc, cluster_index
    ) as cluster_id,
    customers,
    revenue_per_customer
from cluster_totals
