"""KMeans fitted for every candidate k on the fit sample, with the chosen k marked."""

from segmentation.fit import kmeans_models, model_result, optional_int, required_int, to_arrow


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    return model_result(kmeans_models(
        sample,
        k_min=required_int(dbt.config.get("k_min"), "k_min"),
        k_max=required_int(dbt.config.get("k_max"), "k_max"),
        n_clusters=optional_int(dbt.config.get("n_clusters")),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        n_bootstraps=required_int(dbt.config.get("stability_bootstraps"), "stability_bootstraps"),
        bootstrap_size=required_int(
            dbt.config.get("stability_sample_size"), "stability_sample_size"
        ),
    ), session)
