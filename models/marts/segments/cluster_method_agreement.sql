{#-
    How far the clustering methods agree: one row per pair of methods with
    the adjusted Rand index of their assignments over every customer (1 =
    the same partition, about 0 = no more alike than chance; cluster numbers
    need not match). Computed in SQL from the contingency table:
        index    = sum over cells of C(n_ij, 2)
        expected = sum_i C(a_i, 2) * sum_j C(b_j, 2) / C(n, 2)
        maximum  = (sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2
        ARI      = (index - expected) / (maximum - expected)
    where a_i, b_j are the cluster sizes of the two methods.
-#}

with

assignments as (

    select customer_id, method, cluster_id from {{ ref('customer_cluster_assignments') }}

),

method_pairs as (

    select distinct left_side.method as method_a, right_side.method as method_b
    from assignments as left_side
    cross join (select distinct method from assignments) as right_side
    where left_side.method < right_side.method

),

cells as (

    select
        method_pairs.method_a,
        method_pairs.method_b,
        a.cluster_id as cluster_a,
        b.cluster_id as cluster_b,
        count(*) as customers
    from method_pairs
    inner join assignments as a on a.method = method_pairs.method_a
    inner join assignments as b
        on b.method = method_pairs.method_b
        and a.customer_id = b.customer_id
    group by method_pairs.method_a, method_pairs.method_b, a.cluster_id, b.cluster_id

),

pair_sums as (

    select
        method_a,
        method_b,
        sum(customers) as customers,
        sum(customers * (customers - 1) / 2.0) as index_pairs
    from cells
    group by method_a, method_b

),

cluster_pairs as (

    -- C(size, 2) of every cluster of either method of the pair.
    select method_a, method_b, 'a' as side, sum(customers) * (sum(customers) - 1) / 2.0 as size_pairs
    from cells
    group by method_a, method_b, cluster_a

    union all

    select method_a, method_b, 'b' as side, sum(customers) * (sum(customers) - 1) / 2.0 as size_pairs
    from cells
    group by method_a, method_b, cluster_b

),

size_sums as (

    select
        method_a,
        method_b,
        sum(case when side = 'a' then size_pairs else 0 end) as size_pairs_a,
        sum(case when side = 'b' then size_pairs else 0 end) as size_pairs_b
    from cluster_pairs
    group by method_a, method_b

),

terms as (

    select
        pair_sums.method_a,
        pair_sums.method_b,
        pair_sums.customers,
        pair_sums.index_pairs,
        size_sums.size_pairs_a * size_sums.size_pairs_b
            / (pair_sums.customers * (pair_sums.customers - 1) / 2.0) as expected_pairs,
        (size_sums.size_pairs_a + size_sums.size_pairs_b) / 2.0 as maximum_pairs
    from pair_sums
    inner join size_sums
        on pair_sums.method_a = size_sums.method_a and pair_sums.method_b = size_sums.method_b

)

select
    cast(method_a as {{ dbt.type_string() }}) as method_a,
    cast(method_b as {{ dbt.type_string() }}) as method_b,
    cast(customers as bigint) as customers,
    cast(
        round(
            case
                -- Both partitions trivial (one cluster each, or all singletons): identical.
                when maximum_pairs = expected_pairs then 1.0
                else (index_pairs - expected_pairs) / (maximum_pairs - expected_pairs)
            end,
            6
        ) as double
    ) as adjusted_rand_index
from terms
