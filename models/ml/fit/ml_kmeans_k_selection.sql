-- One row per candidate k of the KMeans sweep: its diagnostics and whether it was chosen.
select distinct
    k,
    inertia,
    silhouette,
    calinski_harabasz,
    davies_bouldin,
    elbow_sharpness,
    is_elbow,
    stability_ari,
    min_segment_jaccard,
    min_centre_distance,
    is_chosen,
    selection_rule,
    selection_path,
    fit_customers
from {{ ref('ml_kmeans_models') }}
