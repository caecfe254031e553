"""Quality of the Ward tree cut at each candidate k, for cluster_k_selection."""

from segmentation.fit import (
    hierarchical_k_diagnostics,
    model_result,
    required_int,
    to_arrow,
    to_pandas,
)


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    tree = to_pandas(dbt.ref("ml_hierarchical_tree"), ["node_id"])
    return model_result(hierarchical_k_diagnostics(
        sample,
        tree,
        k_min=required_int(dbt.config.get("k_min"), "k_min"),
        k_max=required_int(dbt.config.get("k_max"), "k_max"),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
