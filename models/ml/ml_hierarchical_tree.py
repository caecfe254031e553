"""Ward tree over weighted micro-clusters of the fit sample, cut at the chosen k."""

from segmentation.fit import hierarchical_tree, required_int


def model(dbt, session):
    sample = dbt.ref("ml_fit_sample").order("customer_id").to_arrow_table()
    chosen = dbt.ref("ml_kmeans_k_selection").filter("is_chosen").select("k").limit(1).fetchall()[0]
    return hierarchical_tree(
        sample,
        n_clusters=int(chosen[0]),
        n_microclusters=required_int(dbt.config.get("n_microclusters"), "n_microclusters"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    )
