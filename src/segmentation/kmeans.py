"""KMeans over a range of k, with diagnostics for choosing among them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.cluster import KMeans

from segmentation.diagnostics import ClusterQuality
from segmentation.k_selection import SegmentCheck, choose_k, elbow_sharpness
from segmentation.matrix import FeatureMatrix, to_feature_matrix
from segmentation.stability import bootstrap_stability, kmeans_refit


def candidate_ks(n_distinct: int, k_min: int, k_max: int, n_clusters: int | None) -> list[int]:
    """The k values to fit, checked against how many distinct customers exist.

    Raises ``ValueError`` when there are fewer distinct customer profiles than
    the smallest k asked for: such a k cannot give distinct clusters.
    """
    wanted_min = n_clusters if n_clusters is not None else k_min
    if n_distinct < wanted_min or n_distinct < 2:
        raise ValueError(
            f"only {n_distinct} distinct customer profile(s) to cluster, fewer than the "
            f"{wanted_min} clusters asked for (var n_clusters / k_min)"
        )
    # Silhouette needs k < n; keep the range inside what the data allows.
    upper = min(k_max, n_distinct - 1) if n_distinct > 2 else 2
    ks = list(range(k_min, max(upper, k_min) + 1))
    if n_clusters is not None and n_clusters not in ks:
        ks.append(n_clusters)
    return sorted(ks)


def fit_kmeans(values: np.ndarray, k: int, *, random_state: int, n_init: int) -> KMeans:
    """One KMeans fit (k-means++ start, Lloyd iterations, best of ``n_init``)."""
    return KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(values)


def kmeans_models(
    table: pa.Table | pd.DataFrame,
    *,
    k_min: int = 2,
    k_max: int = 10,
    n_clusters: int | None = None,
    random_state: int = 42,
    n_init: int = 4,
    silhouette_sample_size: int = 5000,
    n_bootstraps: int = 5,
    bootstrap_size: int = 5000,
) -> pd.DataFrame:
    """Fit KMeans for every candidate k and choose one (segmentation.k_selection).

    Parameters
    ----------
    table : Arrow table or DataFrame
        ``customer_id`` plus one standardized column per model input.

    Returns
    -------
    DataFrame with one row per (k, cluster_index): the centroid (one column
    per feature, in the table's standardized units), ``cluster_size`` (fit
    rows in the cluster) and the k-level diagnostics repeated on each row:
    ``inertia``, ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``,
    ``elbow_sharpness`` (how sharply inertia bends at k),
    ``min_centre_distance`` (the two closest centroids), ``stability_ari``
    and ``min_segment_jaccard`` (the least stable segment; both measured
    only for the k the granular path checked, else NaN),
    ``is_chosen``, ``is_elbow`` (the elbow criterion's vote), ``selection_rule``,
    ``selection_path``,
    ``fit_customers``. Bootstrap refits use ``n_bootstraps`` samples of
    ``bootstrap_size`` rows, as ``cluster_stability`` does. Keeping every k's
    centroids lets an analyst switch k later with a SQL-only change.
    Cluster indexes run 1..k, largest cluster first.
    """
    matrix = to_feature_matrix(table)
    n_distinct = len(np.unique(matrix.values, axis=0))
    ks = candidate_ks(n_distinct, k_min, k_max, n_clusters)
    quality_of = ClusterQuality(
        matrix.values, silhouette_sample_size=silhouette_sample_size, random_state=random_state
    )
    per_k = []
    centroid_frames = []
    centres_of: dict[int, np.ndarray] = {}
    for k in ks:
        model = fit_kmeans(matrix.values, k, random_state=random_state, n_init=n_init)
        labels = model.labels_
        quality = quality_of(labels)
        per_k.append({"k": k, "inertia": float(model.inertia_), **quality})
        centroid_frames.append(_centroid_frame(matrix, model.cluster_centers_, labels, k))
        centres_of[k] = model.cluster_centers_

    def check_segments(k: int) -> SegmentCheck:
        stability = bootstrap_stability(
            matrix.values, centres_of[k], lambda v, c, s: kmeans_refit(v, c, s, n_init),
            n_bootstraps=n_bootstraps,
            sample_size=bootstrap_size, random_state=random_state)
        return SegmentCheck(k, stability.ari, stability.min_segment_jaccard,
                            min_centre_distance(centres_of[k]))

    diagnostics = pd.DataFrame(per_k)
    total_sum_of_squares = float(((matrix.values - matrix.values.mean(axis=0)) ** 2).sum())
    choice = choose_k(diagnostics, n_clusters, total_sum_of_squares=total_sum_of_squares,
                      check_segments=check_segments)
    checked = {check.k: check for check in choice.checks}
    diagnostics["elbow_sharpness"] = [
        elbow_sharpness_at(diagnostics, total_sum_of_squares, k) for k in diagnostics["k"]]
    diagnostics["stability_ari"] = [
        checked[k].stability_ari if k in checked else np.nan for k in diagnostics["k"]]
    diagnostics["min_segment_jaccard"] = [
        checked[k].min_segment_jaccard if k in checked else np.nan for k in diagnostics["k"]]
    diagnostics["min_centre_distance"] = [
        min_centre_distance(centres_of[k]) for k in diagnostics["k"]]
    diagnostics["is_chosen"] = diagnostics["k"] == choice.k
    diagnostics["is_elbow"] = diagnostics["k"] == choice.votes.get("elbow")
    diagnostics["selection_rule"] = choice.rule
    diagnostics["selection_path"] = choice.path
    diagnostics["fit_customers"] = matrix.n_customers
    centroids = pd.concat(centroid_frames, ignore_index=True)
    return centroids.merge(diagnostics, on="k", how="left")


def min_centre_distance(centres: np.ndarray) -> float:
    """The distance between the two closest of ``centres`` (k x features); inf for k = 1."""
    if len(centres) < 2:
        return float("inf")
    gaps = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    return float(gaps[np.triu_indices(len(centres), 1)].min())


def elbow_sharpness_at(diagnostics: pd.DataFrame, total_sum_of_squares: float, k: int) -> float:
    """``k_selection.elbow_sharpness`` at k on the sweep's inertia curve from k = 1."""
    frame = diagnostics.sort_values("k")
    ks = np.concatenate([[1], frame["k"].to_numpy(dtype=int)])
    inertias = np.concatenate([[total_sum_of_squares], frame["inertia"].to_numpy(dtype=float)])
    return elbow_sharpness(ks, inertias, int(k))


def _centroid_frame(
    matrix: FeatureMatrix, centers: np.ndarray, labels: np.ndarray, k: int
) -> pd.DataFrame:
    sizes = np.bincount(labels, minlength=k)
    # Largest cluster first, then by coordinates, so indexes do not depend on
    # the order KMeans happened to find the clusters in.
    order = sorted(range(k), key=lambda c: (-sizes[c], tuple(np.round(centers[c], 12))))
    frame = pd.DataFrame(centers[order], columns=matrix.feature_names)
    frame.insert(0, "cluster_size", sizes[order].astype(np.int64))
    frame.insert(0, "cluster_index", np.arange(1, k + 1, dtype=np.int64))
    frame.insert(0, "k", np.int64(k))
    return frame
