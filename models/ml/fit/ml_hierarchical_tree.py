"""Ward tree over weighted micro-clusters of the fit sample (uncut: ml_hierarchical_cut cuts it)."""

from segmentation.fit import hierarchical_tree, required_int


def model(dbt, session):
    sample = dbt.ref("ml_fit_sample").order("customer_id").to_arrow_table()
    return hierarchical_tree(
        sample,
        n_microclusters=required_int(dbt.config.get("n_microclusters"), "n_microclusters"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    )
