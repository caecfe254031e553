-- One row per candidate k of the KMeans sweep: its diagnostics and whether it was chosen.
select distinct
    k,
    inertia,
    silhouette,
    calinski_harabasz,
    davies_bouldin,
    is_chosen,
    selection_rule,
    fit_customers
from {{ ref('ml_kmeans_models') }}
