"""First two principal components of the fit sample, for 2-D cluster plots."""

from segmentation.fit import pca_loadings, required_int


def model(dbt, session):
    sample = dbt.ref("ml_fit_sample").order("customer_id").to_arrow_table()
    return pca_loadings(
        sample, random_state=required_int(dbt.config.get("random_seed"), "random_seed")
    )
