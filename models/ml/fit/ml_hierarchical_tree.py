"""Ward tree over weighted micro-clusters of the fit sample (uncut: ml_hierarchical_cut cuts it)."""

from segmentation.fit import hierarchical_tree, model_result, required_int, to_arrow


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    return model_result(hierarchical_tree(
        sample,
        n_microclusters=required_int(dbt.config.get("n_microclusters"), "n_microclusters"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
