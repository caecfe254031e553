"""DBSCAN on a sample of the fit rows, described by representatives of each
cluster's core customers, which ml_customer_cluster_scores scores everyone against."""

from segmentation.fit import (
    dbscan_model,
    model_result,
    optional_float,
    optional_int,
    required_int,
    to_arrow,
)


def model(dbt, session):
    # Scheduling only: fit after the KMeans sweep, which the segment marts and
    # the mixture wait for. dbt starts models of the same depth in name order,
    # and ml_dbscan_models would otherwise take a thread before ml_kmeans_models.
    dbt.ref("ml_kmeans_models")
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    return model_result(dbscan_model(
        sample,
        eps=optional_float(dbt.config.get("dbscan_eps")),
        min_samples=optional_int(dbt.config.get("dbscan_min_samples")),
        sample_size=required_int(dbt.config.get("dbscan_sample_size"), "dbscan_sample_size"),
        n_representatives=required_int(
            dbt.config.get("dbscan_representatives"), "dbscan_representatives"
        ),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
