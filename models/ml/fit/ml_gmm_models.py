"""Gaussian mixtures for every candidate k on (a sample of) the fit rows; lowest BIC chosen.

Each k's EM starts from the KMeans solution at that k (ml_kmeans_models), so
the mixture refines the KMeans segments; it also means this fit runs after
KMeans, which the segment marts wait for, rather than competing with it.
"""

from segmentation.fit import (
    gmm_models,
    model_result,
    optional_int,
    required_int,
    to_arrow,
    to_pandas,
)


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    kmeans = to_pandas(dbt.ref("ml_kmeans_models"), ["k", "cluster_index"])
    return model_result(gmm_models(
        sample,
        k_min=required_int(dbt.config.get("k_min"), "k_min"),
        k_max=required_int(dbt.config.get("k_max"), "k_max"),
        n_components=optional_int(dbt.config.get("n_clusters")),
        sample_size=required_int(dbt.config.get("gmm_sample_size"), "gmm_sample_size"),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
        kmeans_centroids=kmeans,
    ), session)
