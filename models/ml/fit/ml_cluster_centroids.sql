{#-
    The centroids customers are scored against, one row per (method, cluster),
    in standardized feature units: KMeans at the chosen k, and the Ward tree's
    clusters at the same k (the weighted mean of each cluster's micro-clusters).
-#}
{%- set inputs = model_inputs() %}

with

kmeans as (

    select * from {{ ref('ml_kmeans_models') }}
    where is_chosen

),

hierarchical as (

    select
        cut.cluster_index,
        tree.*
    from {{ ref('ml_hierarchical_tree') }} as tree
    inner join {{ ref('ml_hierarchical_cut') }} as cut
        on tree.node_id = cut.node_id
    where cut.is_cluster_root

),

centroids as (

    select
        'kmeans' as method,
        cluster_index,
        cluster_size as fit_customers
        {%- for input in inputs %},
        {{ input.name }}
        {%- endfor %}
    from kmeans

    union all

    select
        'hierarchical' as method,
        cluster_index,
        fit_customers
        {%- for input in inputs %},
        {{ input.name }}
        {%- endfor %}
    from hierarchical

)

select * from centroids
