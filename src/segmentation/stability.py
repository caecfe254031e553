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
from typing import NamedTuple

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


class Stability(NamedTuple):
    """How well a segmentation comes back in bootstrap refits."""

    ari: float  # mean adjusted Rand index of the whole assignment
    ari_sd: float
    # Per reference segment (in centroid order): the mean over refits of its
    # Jaccard overlap with the most similar refitted segment (Hennig 2007).
    segment_jaccard: np.ndarray

    @property
    def min_segment_jaccard(self) -> float:
        return float(np.min(self.segment_jaccard)) if len(self.segment_jaccard) else float("nan")


def bootstrap_stability(
    values: np.ndarray,
    reference_centroids: np.ndarray,
    refit: Refit,
    *,
    n_bootstraps: int = 10,
    sample_size: int = 10000,
    random_state: int = 42,
) -> Stability:
    """Agreement between the reference assignment and refits on
    ``n_bootstraps`` bootstrap samples of ``sample_size`` rows.

    Every row of ``values`` is labelled by its nearest reference centroid and
    by its nearest centroid of each refit. The ARI compares the two
    assignments as a whole; the segment Jaccard asks of each reference
    segment whether it comes back: |A & B| / |A | B| with B the refitted
    segment that overlaps it most. A good ARI can hide one segment that
    dissolves into its neighbours; its Jaccard cannot.

    A bootstrap sample with fewer distinct rows than k (only on a handful of
    customers) cannot be refitted at k and is skipped; when every sample is,
    every number is NaN: there is too little data to judge stability.
    """
    if n_bootstraps < 1:
        raise ValueError("n_bootstraps must be at least 1")
    k = reference_centroids.shape[0]
    reference = pairwise_distances_argmin(values, reference_centroids)
    reference_sizes = np.bincount(reference, minlength=k)
    rng = np.random.default_rng(random_state)
    scores = []
    jaccards = []
    for bootstrap in range(n_bootstraps):
        rows = rng.integers(0, values.shape[0], size=min(sample_size, values.shape[0]))
        if len(np.unique(values[rows], axis=0)) < k:
            continue
        centroids = refit(values[rows], k, random_state + bootstrap)
        refitted = pairwise_distances_argmin(values, centroids)
        scores.append(adjusted_rand_score(reference, refitted))
        jaccards.append(_best_jaccard(reference, reference_sizes, refitted, len(centroids)))
    if not scores:
        return Stability(float("nan"), float("nan"), np.full(k, np.nan))
    return Stability(float(np.mean(scores)), float(np.std(scores)),
                     np.mean(np.vstack(jaccards), axis=0))


def _best_jaccard(reference: np.ndarray, reference_sizes: np.ndarray, refitted: np.ndarray,
                  n_refitted: int) -> np.ndarray:
    """For each reference segment, its best Jaccard overlap with a refitted one.

    An empty reference segment (no row nearest its centroid) scores 0.
    """
    k = len(reference_sizes)
    overlap = np.zeros((k, n_refitted))
    np.add.at(overlap, (reference, refitted), 1)
    refitted_sizes = np.bincount(refitted, minlength=n_refitted)
    union = reference_sizes[:, None] + refitted_sizes[None, :] - overlap
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, overlap / union, 0.0)
    return jaccard.max(axis=1)


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

    Returns one row per (``method``, ``cluster_index``): the cluster's
    ``segment_jaccard`` (its mean Jaccard overlap with the refitted cluster
    most like it), and the method's ``k``, ``stability_ari`` (mean),
    ``stability_ari_sd``, ``min_segment_jaccard`` (the least stable
    cluster's), ``n_bootstraps`` and ``bootstrap_size`` repeated on each row.
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
        group = group.sort_values("cluster_index")
        reference = group[matrix.feature_names].to_numpy(float)
        stability = bootstrap_stability(
            matrix.values, reference, refits[method],
            n_bootstraps=n_bootstraps, sample_size=sample_size, random_state=random_state,
        )
        for cluster_index, jaccard in zip(group["cluster_index"], stability.segment_jaccard,
                                          strict=True):
            rows.append({
                "method": method,
                "cluster_index": int(cluster_index),
                "segment_jaccard": float(jaccard),
                "k": len(reference),
                "stability_ari": stability.ari,
                "stability_ari_sd": stability.ari_sd,
                "min_segment_jaccard": stability.min_segment_jaccard,
                "n_bootstraps": n_bootstraps,
                "bootstrap_size": min(sample_size, matrix.n_customers),
            })
    return pd.DataFrame(rows)
