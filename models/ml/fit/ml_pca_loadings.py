"""First two principal components of the fit sample, for 2-D cluster plots."""

from segmentation.fit import model_result, pca_loadings, required_int, to_arrow


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_fit_sample"), ["customer_id"])
    return model_result(pca_loadings(
        sample, random_state=required_int(dbt.config.get("random_seed"), "random_seed")
    ), session)
