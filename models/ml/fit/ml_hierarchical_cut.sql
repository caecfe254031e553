{#-
    The Ward tree cut at the k chosen for KMeans, so the two methods are
    compared at the same k. Cutting into k clusters undoes the last k - 1
    merges: what is left is a forest of k subtrees whose tops are the cluster
    roots. One row per node below the cut with its cluster; nodes above the
    cut have no row. A node lies under a root when its leaf range
    (leaf_x_from..leaf_x_to) is inside the root's, so no recursion is needed.
    Cluster indexes run 1..k, largest cluster (fit customers) first.
-#}

with

tree as (

    select * from {{ ref('ml_hierarchical_tree') }}

),

chosen as (

    select k from {{ ref('ml_kmeans_k_selection') }}
    where is_chosen

),

cut as (

    -- Merges numbered up to last_merge_kept stay; the later k - 1 are undone.
    select count(*) - max(chosen.k) as last_merge_kept
    from tree
    cross join chosen
    where tree.is_leaf

),

below_cut as (

    select tree.*
    from tree
    cross join cut
    where tree.is_leaf or tree.merge_order <= cut.last_merge_kept

),

parent_merges as (

    select left_child_id as child_id, merge_order as parent_merge_order
    from tree
    where not is_leaf

    union all

    select right_child_id as child_id, merge_order as parent_merge_order
    from tree
    where not is_leaf

),

roots as (

    select
        below_cut.node_id,
        below_cut.fit_customers,
        below_cut.leaf_x_from,
        below_cut.leaf_x_to,
        row_number() over (
            order by below_cut.fit_customers desc, below_cut.leaf_x_from
        ) as cluster_index
    from below_cut
    inner join parent_merges on below_cut.node_id = parent_merges.child_id
    cross join cut
    where parent_merges.parent_merge_order > cut.last_merge_kept

)

select
    below_cut.node_id,
    roots.cluster_index,
    below_cut.node_id = roots.node_id as is_cluster_root
from below_cut
inner join roots
    on below_cut.leaf_x_from >= roots.leaf_x_from
    and below_cut.leaf_x_to <= roots.leaf_x_to
