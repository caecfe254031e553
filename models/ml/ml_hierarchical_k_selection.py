"""Quality of the Ward tree cut at each candidate k, for cluster_k_selection."""

from segmentation.fit import hierarchical_k_diagnostics, required_int


def model(dbt, session):
    sample = dbt.ref("ml_fit_sample").order("customer_id").to_arrow_table()
    tree = dbt.ref("ml_hierarchical_tree").order("node_id").df()
    chosen = dbt.ref("ml_kmeans_k_selection").filter("is_chosen").select("k").limit(1).fetchall()[0]
    return hierarchical_k_diagnostics(
        sample,
        tree,
        k_min=required_int(dbt.config.get("k_min"), "k_min"),
        k_max=required_int(dbt.config.get("k_max"), "k_max"),
        chosen_k=int(chosen[0]),
        silhouette_sample_size=required_int(
            dbt.config.get("silhouette_sample_size"), "silhouette_sample_size"
        ),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    )
