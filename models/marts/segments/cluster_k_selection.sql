{#-
    One row per (method, k): the diagnostics an analyst reads to judge the
    number of clusters. KMeans chooses k from the elbow, silhouette,
    Calinski-Harabasz and Davies-Bouldin when they show clear structure, else
    the most granular stable k (segmentation.k_selection; or var n_clusters); the Ward tree is
    cut at the same k so the two methods are comparable; the Gaussian
    mixture's number of components is chosen by the lowest BIC; DBSCAN has no
    k to choose (its row's k is the clusters it found, with its noise share).
    The chosen k's row
    also says how stable the clusters are under bootstrap refits.
-#}

with

kmeans as (

    select * from {{ ref('ml_kmeans_k_selection') }}

),

hierarchical as (

    select
        diagnostics.*,
        diagnostics.k = chosen.k as is_chosen
    from {{ ref('ml_hierarchical_k_selection') }} as diagnostics
    cross join (
        select k from {{ ref('ml_kmeans_k_selection') }}
        where is_chosen
    ) as chosen

),

{%- if method_enabled('gmm') %}
gmm as (

    select * from {{ ref('ml_gmm_k_selection') }}

),
{%- endif %}

{%- if method_enabled('kprototypes') %}
kprototypes as (

    select
        max(cluster_index) as k,
        max(cost) as cost,
        max(fit_customers) as fit_customers
    from {{ ref('ml_kprototypes_models') }}
    having count(*) > 0

),
{%- endif %}

{%- if method_enabled('dbscan') %}
dbscan as (

    -- DBSCAN has no k to choose: one row, k = the clusters it found.
    select
        max(k) as k,
        max(inertia) as inertia,
        max(silhouette) as silhouette,
        max(calinski_harabasz) as calinski_harabasz,
        max(davies_bouldin) as davies_bouldin,
        max(eps) as eps,
        max(min_samples) as min_samples,
        max(eps_rule) as eps_rule,
        max(noise_share) as noise_share,
        max(assignment_agreement) as assignment_agreement,
        max(fit_customers) as fit_customers
    from {{ ref('ml_dbscan_models') }}

),
{%- endif %}

stability as (

    -- One row per method: the method-level figures repeat on each cluster's row.
    select distinct
        method, k, stability_ari, stability_ari_sd, min_segment_jaccard
    from {{ ref('ml_cluster_stability') }}

),

unioned as (

    select
        'kmeans' as method,
        k,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        is_chosen,
        selection_rule,
        fit_customers,
        cast(null as {{ type_double() }}) as bic,
        cast(null as {{ type_double() }}) as noise_share,
        selection_path,
        elbow_sharpness,
        is_elbow,
        min_centre_distance,
        stability_ari as checked_stability_ari,
        min_segment_jaccard as checked_min_segment_jaccard
    from kmeans

    union all

    select
        'hierarchical' as method,
        k,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        is_chosen,
        'tree cut at the k chosen for kmeans' as selection_rule,
        fit_customers,
        cast(null as {{ type_double() }}) as bic,
        cast(null as {{ type_double() }}) as noise_share,
        cast(null as {{ dbt.type_string() }}) as selection_path,
        cast(null as {{ type_double() }}) as elbow_sharpness,
        cast(null as boolean) as is_elbow,
        cast(null as {{ type_double() }}) as min_centre_distance,
        cast(null as {{ type_double() }}) as checked_stability_ari,
        cast(null as {{ type_double() }}) as checked_min_segment_jaccard
    from hierarchical

    {%- if method_enabled('gmm') %}
    union all

    select
        'gmm' as method,
        k,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        is_chosen,
        selection_rule,
        fit_customers,
        bic,
        cast(null as {{ type_double() }}) as noise_share,
        cast(null as {{ dbt.type_string() }}) as selection_path,
        cast(null as {{ type_double() }}) as elbow_sharpness,
        cast(null as boolean) as is_elbow,
        cast(null as {{ type_double() }}) as min_centre_distance,
        cast(null as {{ type_double() }}) as checked_stability_ari,
        cast(null as {{ type_double() }}) as checked_min_segment_jaccard
    from gmm
    {%- endif %}

    {%- if method_enabled('kprototypes') %}
    union all

    select
        'kprototypes' as method,
        k,
        cost as inertia,
        cast(null as {{ type_double() }}) as silhouette,
        cast(null as {{ type_double() }}) as calinski_harabasz,
        cast(null as {{ type_double() }}) as davies_bouldin,
        true as is_chosen,
        'the k chosen for kmeans; categories as categories (inertia: k-prototypes cost)'
            as selection_rule,
        fit_customers,
        cast(null as {{ type_double() }}) as bic,
        cast(null as {{ type_double() }}) as noise_share,
        cast(null as {{ dbt.type_string() }}) as selection_path,
        cast(null as {{ type_double() }}) as elbow_sharpness,
        cast(null as boolean) as is_elbow,
        cast(null as {{ type_double() }}) as min_centre_distance,
        cast(null as {{ type_double() }}) as checked_stability_ari,
        cast(null as {{ type_double() }}) as checked_min_segment_jaccard
    from kprototypes
    {%- endif %}

    {%- if method_enabled('dbscan') %}
    union all

    select
        'dbscan' as method,
        k,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        true as is_chosen,
        {{ dbt.concat([
            "'eps = '", cast_or_null('round(eps, 4)', dbt.type_string()),
            "' ('", "eps_rule", "'), min_samples = '", cast_or_null('min_samples', dbt.type_string()),
            "case when assignment_agreement is null then '' else " ~ dbt.concat([
                "'; the SQL assignment agrees with exact DBSCAN on '",
                cast_or_null('round(100 * assignment_agreement, 1)', dbt.type_string()),
                "'% of held-out fit rows'"]) ~ " end",
        ]) }} as selection_rule,
        fit_customers,
        cast(null as {{ type_double() }}) as bic,
        noise_share,
        cast(null as {{ dbt.type_string() }}) as selection_path,
        cast(null as {{ type_double() }}) as elbow_sharpness,
        cast(null as boolean) as is_elbow,
        cast(null as {{ type_double() }}) as min_centre_distance,
        cast(null as {{ type_double() }}) as checked_stability_ari,
        cast(null as {{ type_double() }}) as checked_min_segment_jaccard
    from dbscan
    {%- endif %}

)

select
    cast(unioned.method as {{ dbt.type_string() }}) as method,
    cast(unioned.k as integer) as k,
    cast(round(unioned.inertia, 6) as double) as inertia,
    cast(round(unioned.silhouette, 6) as double) as silhouette,
    cast(round(unioned.calinski_harabasz, 6) as double) as calinski_harabasz,
    cast(round(unioned.davies_bouldin, 6) as double) as davies_bouldin,
    cast(unioned.is_chosen as boolean) as is_chosen,
    cast(unioned.selection_rule as {{ dbt.type_string() }}) as selection_rule,
    cast(unioned.fit_customers as integer) as fit_customers,
    cast(round(unioned.bic, 6) as double) as bic,
    cast(round(unioned.noise_share, 6) as double) as noise_share,
    cast(unioned.selection_path as {{ dbt.type_string() }}) as selection_path,
    cast(round(unioned.elbow_sharpness, 6) as double) as elbow_sharpness,
    cast(unioned.is_elbow as boolean) as is_elbow,
    cast(round(unioned.min_centre_distance, 6) as double) as min_centre_distance,
    cast(round(coalesce(stability.stability_ari, unioned.checked_stability_ari), 6) as double)
        as stability_ari,
    cast(round(stability.stability_ari_sd, 6) as double) as stability_ari_sd,
    cast(round(coalesce(stability.min_segment_jaccard, unioned.checked_min_segment_jaccard), 6)
        as double) as min_segment_jaccard
from unioned
left join stability
    on unioned.method = stability.method
    and unioned.k = stability.k
    and unioned.is_chosen
