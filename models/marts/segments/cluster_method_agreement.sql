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

{%- set assignments_relation = ref('customer_cluster_assignments') %}
{%- set methods = distinct_values(assignments_relation, 'method') %}
{%- set n = methods | length %}

with

-- One row per customer with its cluster under every method (the methods are
-- read at compile time), so each pair of methods is a group-by of one table:
-- joining the assignments to themselves per pair took 2.3 s at 1M customers.
clusters_per_customer as (

    select
        customer_id
        {%- for method in methods %},
        max(case when method = '{{ method }}' then cluster_id end) as cluster_{{ loop.index }}
        {%- endfor %}
    from {{ assignments_relation }}
    group by customer_id

),

cells as (
    {%- for i in range(n) %}{% for j in range(n) if methods[i] < methods[j] %}

    select
        '{{ methods[i] }}' as method_a,
        '{{ methods[j] }}' as method_b,
        cluster_{{ i + 1 }} as cluster_a,
        cluster_{{ j + 1 }} as cluster_b,
        count(*) as customers
    from clusters_per_customer
    where cluster_{{ i + 1 }} is not null and cluster_{{ j + 1 }} is not null
    group by cluster_{{ i + 1 }}, cluster_{{ j + 1 }}

    union all
    {%- endfor %}{% endfor %}

    -- Closes the union; with fewer than two methods, no pairs at all.
    select
        cast(null as {{ dbt.type_string() }}) as method_a,
        cast(null as {{ dbt.type_string() }}) as method_b,
        cast(null as integer) as cluster_a,
        cast(null as integer) as cluster_b,
        cast(0 as bigint) as customers
    where 1 = 0

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
