"""Is a segmentation real or noise? Agreement of refits on bootstrap samples.

A segmentation that reflects structure in the customers comes back when the
method is refitted on a resample of them; one that is carved out of noise
moves around. For the chosen k, each method is refitted on bootstrap samples,
every fit row is given its nearest refitted centroid, and the adjusted Rand
index against the production assignment (nearest production centroid) is
averaged: near 1 is stable, well below (say under 0.6) means the segments
should not be trusted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, pairwise_distances_argmin

from segmentation.hierarchical import cut_linkage, microclusters, ward_linkage
from segmentation.matrix import to_feature_matrix

Refit = Callable[[np.ndarray, int, int], np.ndarray]


def kmeans_refit(values: np.ndarray, k: int, seed: int, n_init: int = 4) -> np.ndarray:
    """Centroids of KMeans at k on ``values``, the best of ``n_init`` k-means++
    starts as in the production fit: a refit stuck in a worse local optimum
    than production would count as instability of the segments."""
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(values).cluster_centers_


def ward_refit(values: np.ndarray, k: int, seed: int, n_microclusters: int = 400) -> np.ndarray:
    """Centroids of the Ward tree over micro-clusters of ``values``, cut at k."""
    centres, weights = microclusters(values, n_microclusters, random_state=seed)
    if len(weights) < k:
        raise ValueError(f"a bootstrap sample has only {len(weights)} distinct rows for k={k}")
    labels = cut_linkage(ward_linkage(centres, weights), k)
    return np.array([np.average(centres[labels == c], axis=0, weights=weights[labels == c])
                     for c in range(k)])


def bootstrap_stability(
    values: np.ndarray,
    reference_centroids: np.ndarray,
    refit: Refit,
    *,
    n_bootstraps: int = 10,
    sample_size: int = 10000,
    random_state: int = 42,
) -> tuple[float, float]:
    """Mean and standard deviation of the ARI between the reference assignment
    and refits on ``n_bootstraps`` bootstrap samples of ``sample_size`` rows.

    Every row of ``values`` is labelled by its nearest reference centroid and
    by its nearest centroid of each refit; the ARI compares the two.

    A bootstrap sample with fewer distinct rows than k (only on a handful of
    customers) cannot be refitted at k and is skipped; when every sample is,
    both numbers are NaN: there is too little data to judge stability.
    """
    if n_bootstraps < 1:
        raise ValueError("n_bootstraps must be at least 1")
    k = reference_centroids.shape[0]
    reference = pairwise_distances_argmin(values, reference_centroids)
    rng = np.random.default_rng(random_state)
    scores = []
    for bootstrap in range(n_bootstraps):
        rows = rng.integers(0, values.shape[0], size=min(sample_size, values.shape[0]))
        if len(np.unique(values[rows], axis=0)) < k:
            continue
        centroids = refit(values[rows], k, random_state + bootstrap)
        scores.append(adjusted_rand_score(reference, pairwise_distances_argmin(values, centroids)))
    if not scores:
        return float("nan"), float("nan")
    return float(np.mean(scores)), float(np.std(scores))


def cluster_stability(
    table: pa.Table | pd.DataFrame,
    centroids: pd.DataFrame,
    *,
    n_bootstraps: int = 10,
    sample_size: int = 10000,
    n_microclusters: int = 400,
    random_state: int = 42,
) -> pd.DataFrame:
    """Bootstrap stability of each method's production clusters.

    Parameters
    ----------
    table : the fit rows, ``customer_id`` plus standardized model inputs.
    centroids : one row per (``method``, ``cluster_index``) with a column per
        model input (``ml_cluster_centroids``); methods ``kmeans`` and
        ``hierarchical`` are refitted the way they were fitted.

    Returns one row per method: ``method``, ``k``, ``stability_ari`` (mean),
    ``stability_ari_sd``, ``n_bootstraps``, ``bootstrap_size``.
    """
    matrix = to_feature_matrix(table)
    refits: dict[str, Refit] = {
        "kmeans": kmeans_refit,
        "hierarchical": lambda v, k, s: ward_refit(v, k, s, n_microclusters),
    }
    rows = []
    for method, group in centroids.groupby("method", sort=True):
        if method not in refits:
            raise ValueError(f"no refit known for method '{method}'")
        reference = group.sort_values("cluster_index")[matrix.feature_names].to_numpy(float)
        mean, sd = bootstrap_stability(
            matrix.values, reference, refits[method],
            n_bootstraps=n_bootstraps, sample_size=sample_size, random_state=random_state,
        )
        rows.append({
            "method": method,
            "k": len(reference),
            "stability_ari": mean,
            "stability_ari_sd": sd,
            "n_bootstraps": n_bootstraps,
            "bootstrap_size": min(sample_size, matrix.n_customers),
        })
    return pd.DataFrame(rows)
