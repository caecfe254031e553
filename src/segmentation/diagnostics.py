"""Cluster-quality measures used to choose the number of clusters."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score


def within_cluster_sum_of_squares(values: np.ndarray, labels: np.ndarray) -> float:
    """Inertia: summed squared distance of each row to its cluster mean."""
    total = 0.0
    for label in np.unique(labels):
        members = values[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def cluster_quality(
    values: np.ndarray,
    labels: np.ndarray,
    *,
    silhouette_sample_size: int,
    random_state: int,
) -> dict[str, float]:
    """Silhouette, Calinski-Harabasz and Davies-Bouldin of one labelling.

    Silhouette costs O(n^2), so above ``silhouette_sample_size`` rows it is
    computed on a fixed random sample; the other two use every row. The
    scores are defined for 2 <= clusters <= rows - 1; outside that NaN is
    returned.
    """
    if not 2 <= len(np.unique(labels)) <= values.shape[0] - 1:
        return {"silhouette": np.nan, "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
    sample_size = silhouette_sample_size if values.shape[0] > silhouette_sample_size else None
    silhouette = silhouette_score(
        values, labels, sample_size=sample_size, random_state=random_state
    )
    return {
        "silhouette": float(silhouette),
        "calinski_harabasz": float(calinski_harabasz_score(values, labels)),
        "davies_bouldin": float(davies_bouldin_score(values, labels)),
    }
