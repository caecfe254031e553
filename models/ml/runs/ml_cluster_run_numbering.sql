{#-
    This run's own numbering of each fitted cluster: clusters are numbered by
    net revenue per customer, highest first; then (data without orders) by
    size, largest first; then by the fit's own index. DBSCAN's noise keeps
    id 0. The primary method's clusters then take their stable segment ids
    (ml_segment_matching, ml_cluster_numbering); on a first run the two agree.
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
    -- cluster_index 0 is DBSCAN's noise: it keeps id 0, outside the numbering.
    case
        when cluster_index = 0 then 0
        else row_number() over (
            partition by method, cluster_index = 0
            order by revenue_per_customer desc, customers desc, cluster_index
        )
    end as cluster_id,
    customers,
    revenue_per_customer
from cluster_totals
