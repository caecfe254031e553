"""Quality of the Ward tree cut at each candidate k, for cluster_k_selection."""

from segmentation.fit import hierarchical_k_diagnostics, required_int


def model(dbt, session):
    sample = dbt.ref("ml_fit_sample").order("customer_id").to_arrow_table()
    tree = dbt.ref("ml_hierarchical_tree").order("node_id").df()
    return hierarchical_k_diagnostics(
        sample,
        tree,
        k_min=required_int(dbt.config.get("k_min"), "k_min"),
        k_max=required_int(dbt.config.get("k_max"), "k_max"),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    )
