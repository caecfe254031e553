"""Cluster-quality measures used to choose the number of clusters."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_score,
)
from sklearn.utils import check_random_state


def within_cluster_sum_of_squares(values: np.ndarray, labels: np.ndarray) -> float:
    """Inertia: summed squared distance of each row to its cluster mean."""
    total = 0.0
    for label in np.unique(labels):
        members = values[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


class ClusterQuality:
    """Scores many labellings of the same rows: silhouette, Calinski-Harabasz
    and Davies-Bouldin.

    Silhouette costs O(n^2), so above ``silhouette_sample_size`` rows it is
    computed on a fixed random sample (the rows scikit-learn's
    ``silhouette_score(sample_size=..., random_state=...)`` would draw); the
    other two use every row. The sample's distance matrix is computed once
    and reused for every labelling: choosing k scores nine labellings, and the
    distances were three quarters of the sweep's time.
    """

    def __init__(self, values: np.ndarray, *, silhouette_sample_size: int, random_state: int):
        self.values = values
        n_rows = values.shape[0]
        if n_rows > silhouette_sample_size:
            self.sample = check_random_state(random_state).permutation(n_rows)
            self.sample = self.sample[:silhouette_sample_size]
        else:
            self.sample = np.arange(n_rows)
        self._distances: np.ndarray | None = None

    def __call__(self, labels: np.ndarray) -> dict[str, float]:
        """The three scores of ``labels``; NaN unless 2 <= clusters <= rows - 1."""
        labels = np.asarray(labels)
        if not 2 <= len(np.unique(labels)) <= self.values.shape[0] - 1:
            return {"silhouette": np.nan, "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
        if self._distances is None:
            self._distances = pairwise_distances(self.values[self.sample])
        silhouette = silhouette_score(self._distances, labels[self.sample], metric="precomputed")
        return {
            "silhouette": float(silhouette),
            "calinski_harabasz": float(calinski_harabasz_score(self.values, labels)),
            "davies_bouldin": float(davies_bouldin_score(self.values, labels)),
        }


def cluster_quality(
    values: np.ndarray,
    labels: np.ndarray,
    *,
    silhouette_sample_size: int,
    random_state: int,
) -> dict[str, float]:
    """Silhouette, Calinski-Harabasz and Davies-Bouldin of one labelling
    (see :class:`ClusterQuality`, which is cheaper for several)."""
    scorer = ClusterQuality(
        values, silhouette_sample_size=silhouette_sample_size, random_state=random_state
    )
    return scorer(labels)
