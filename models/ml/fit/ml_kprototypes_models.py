"""k-prototypes at the k chosen for KMeans, when categorical features are clustered on."""

import pandas as pd

from segmentation.fit import kprototypes, model_result, required_int, to_pandas


def model(dbt, session):
    sample = to_pandas(dbt.ref("ml_mixed_sample"), ["customer_id"])
    categorical = [c for c in sample.columns
                   if c != "customer_id" and not pd.api.types.is_numeric_dtype(sample[c])]
    if sample.empty or not categorical:
        # No categorical clustering feature: one-hot KMeans already covers it.
        return model_result(pd.DataFrame({
            "cluster_index": pd.Series(dtype="int64"),
            "cluster_size": pd.Series(dtype="int64"),
            "gamma": pd.Series(dtype="float64"),
            "cost": pd.Series(dtype="float64"),
            "fit_customers": pd.Series(dtype="int64"),
        }), session)
    selection = to_pandas(dbt.ref("ml_kmeans_k_selection"))
    chosen = selection.loc[selection["is_chosen"], "k"].iloc[0]
    return model_result(kprototypes(
        sample,
        categorical,
        n_clusters=int(chosen),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
