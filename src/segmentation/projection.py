"""A 2-D principal-component projection for cluster plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.decomposition import PCA

from segmentation.matrix import to_feature_matrix


def pca_loadings(table: pa.Table | pd.DataFrame, *, random_state: int = 42) -> pd.DataFrame:
    """The first two principal components of the standardized features.

    Returns one row per feature: ``feature_name``, ``feature_mean`` (the
    centre PCA subtracts), ``pc1_loading``, ``pc2_loading`` and the share of
    variance each component explains (``pc1_explained_variance_ratio``,
    ``pc2_explained_variance_ratio``, repeated on each row). A customer's
    coordinates are sum((x - feature_mean) * loading), which SQL computes for
    every customer. With a single feature the second component is all zero.
    Signs follow scikit-learn's convention (largest loading positive), so they
    are stable between runs.
    """
    matrix = to_feature_matrix(table)
    n_components = min(2, matrix.values.shape[1], matrix.n_customers)
    pca = PCA(n_components=n_components, svd_solver="full", random_state=random_state)
    pca.fit(matrix.values)
    components = np.zeros((2, matrix.values.shape[1]))
    components[:n_components] = pca.components_
    explained = np.zeros(2)
    explained[:n_components] = pca.explained_variance_ratio_
    return pd.DataFrame({
        "feature_name": matrix.feature_names,
        "feature_mean": pca.mean_,
        "pc1_loading": components[0],
        "pc2_loading": components[1],
        "pc1_explained_variance_ratio": explained[0],
        "pc2_explained_variance_ratio": explained[1],
    })
