{#-
    The Ward dendrogram, one row per tree node. Leaves are micro-clusters of
    the fit sample; each merge joins two nodes at merge_height. To draw it,
    for every merge connect (x of left child, its height) up to
    (dendrogram_x, merge_height) and across to the right child; a horizontal
    line just below the lowest merge above the cut separates the segments.
-#}

with

tree as (

    select * from {{ ref('ml_hierarchical_tree') }}

),

cut as (

    select * from {{ ref('ml_hierarchical_cut') }}

),

numbering as (

    select * from {{ ref('ml_cluster_numbering') }}
    where method = 'hierarchical'

)

select
    cast(tree.node_id as integer) as node_id,
    cast(tree.left_child_id as integer) as left_child_id,
    cast(tree.right_child_id as integer) as right_child_id,
    cast(round(tree.merge_height, 9) as double) as merge_height,
    cast(tree.merge_order as integer) as merge_order,
    cast(tree.fit_customers as integer) as fit_customers,
    cast(tree.is_leaf as boolean) as is_leaf,
    cast(tree.dendrogram_x as double) as dendrogram_x,
    cast(numbering.cluster_id as integer) as cluster_id,
    cast(coalesce(cut.is_cluster_root, false) as boolean) as is_cluster_root
from tree
left join cut on tree.node_id = cut.node_id
left join numbering on cut.cluster_index = numbering.cluster_index
