"""Bootstrap stability of each method's clusters at the chosen k."""

from segmentation.fit import cluster_stability, model_result, required_int, to_arrow, to_pandas


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    centroids = to_pandas(dbt.ref("ml_cluster_centroids"), ["method", "cluster_index"])
    return model_result(cluster_stability(
        sample,
        centroids,
        n_bootstraps=required_int(dbt.config.get("stability_bootstraps"), "stability_bootstraps"),
        sample_size=required_int(dbt.config.get("stability_sample_size"), "stability_sample_size"),
        n_microclusters=required_int(dbt.config.get("n_microclusters"), "n_microclusters"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
