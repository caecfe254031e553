"""Gaussian mixtures: soft segments, with the number of components chosen by BIC.

Each customer gets a probability of belonging to each component. The fit runs
on a bounded sample; every parameter needed to score a customer is returned
as plain numbers (weights, means and the Cholesky factor of each component's
precision matrix), so the scoring can run in SQL over every customer:

    log p(x, c) = log weight_c + log_det_c - d/2 log(2 pi) - 1/2 |(x - mean_c) L_c|^2

where L_c is the upper-triangular ``precisions_cholesky_`` of scikit-learn and
log_det_c the sum of the logs of its diagonal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.mixture import GaussianMixture

from segmentation.diagnostics import ClusterQuality, within_cluster_sum_of_squares
from segmentation.k_selection import knee_point
from segmentation.kmeans import candidate_ks
from segmentation.matrix import to_feature_matrix

# A small ridge on every covariance (see fit_gmm).
REG_COVAR = 1e-4


def fit_gmm(
    values: np.ndarray, k: int, *, random_state: int, centroids: np.ndarray | None = None
) -> GaussianMixture:
    """Full-covariance mixture of k components, seeded.

    EM starts from ``centroids`` (k x d, the KMeans solution at the same k)
    when given and usable: each row goes to its nearest centroid and the
    components start as those groups' weights, means and covariances. Otherwise
    scikit-learn's own single k-means start is used. A small ridge on the
    covariances (reg_covar) keeps one-hot or capped features from making a
    component singular.
    """
    start = _start_from_centroids(values, centroids) if centroids is not None else None
    if start is not None:
        weights, means, precisions = start
        try:
            return GaussianMixture(
                n_components=k, covariance_type="full", n_init=1, reg_covar=REG_COVAR,
                max_iter=200, random_state=random_state,
                # The three starts below replace whatever init_params computes;
                # random_from_data is the one that costs nothing.
                init_params="random_from_data",
                weights_init=weights, means_init=means, precisions_init=precisions,
            ).fit(values)
        except (ValueError, np.linalg.LinAlgError):
            # A start scikit-learn rejects (a precision not positive-definite
            # enough for its check): fall back to its own start.
            pass
    return GaussianMixture(
        n_components=k, covariance_type="full", n_init=1, reg_covar=REG_COVAR,
        max_iter=200, random_state=random_state,
    ).fit(values)


def _start_from_centroids(
    values: np.ndarray, centroids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Weights, means and precision matrices of the groups formed by assigning
    every row to its nearest centroid; None when a group is too small to have
    a covariance (fewer rows than features + 1)."""
    k, d = centroids.shape
    squared = ((values[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    labels = squared.argmin(axis=1)
    sizes = np.bincount(labels, minlength=k)
    if sizes.min() < d + 1:
        return None
    means = np.stack([values[labels == c].mean(axis=0) for c in range(k)])
    precisions = np.stack([
        np.linalg.inv(np.cov(values[labels == c], rowvar=False, bias=True).reshape(d, d)
                      + REG_COVAR * np.eye(d))
        for c in range(k)
    ])
    # inv() is symmetric only up to rounding; scikit-learn checks it exactly.
    precisions = (precisions + precisions.transpose(0, 2, 1)) / 2
    return sizes / sizes.sum(), means, precisions


def gmm_models(
    table: pa.Table | pd.DataFrame,
    *,
    k_min: int = 2,
    k_max: int = 10,
    n_components: int | None = None,
    sample_size: int = 20000,
    silhouette_sample_size: int = 5000,
    random_state: int = 42,
    kmeans_centroids: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fit a mixture for every k in range on (a sample of) ``table``; the lowest
    BIC wins unless ``n_components`` forces k.

    ``kmeans_centroids`` (one row per (k, cluster_index) with one column per
    feature, as ``kmeans_models`` returns) starts each k's EM from the KMeans
    solution at that k, so the mixture refines the KMeans segments rather than
    searching again from a single random start.

    Returns one row per (k, component_index): ``weight``, ``log_det``, the
    component mean (one column per feature, the table's names), the precision
    Cholesky factor as ``prec_chol_<i>_<j>`` (0-based feature positions,
    upper triangle, i <= j), ``component_size`` (sample rows whose most likely
    component it is) and the k-level diagnostics repeated on each row:
    ``bic``, ``aic``, ``log_likelihood`` (mean per row), ``inertia``,
    ``silhouette``, ``calinski_harabasz``, ``davies_bouldin`` (of the hard
    assignment), ``is_chosen``, ``selection_rule``, ``fit_customers``.
    Component indexes run 1..k, largest first.
    """
    matrix = to_feature_matrix(table)
    values = matrix.values
    if values.shape[0] > sample_size:
        # The table is already a deterministic sample ordered by id; take an
        # evenly spaced subset of it so the result does not depend on a RNG.
        rows = np.linspace(0, values.shape[0] - 1, sample_size).round().astype(int)
        values = values[rows]
    n_distinct = len(np.unique(values, axis=0))
    ks = candidate_ks(n_distinct, k_min, k_max, n_components)
    quality_of = ClusterQuality(
        values, silhouette_sample_size=silhouette_sample_size, random_state=random_state
    )
    per_k, frames = [], []
    for k in ks:
        model = fit_gmm(values, k, random_state=random_state,
                        centroids=_centroids_at(kmeans_centroids, k, matrix.feature_names))
        labels = model.predict(values)
        per_k.append({
            "k": k,
            "bic": float(model.bic(values)),
            "aic": float(model.aic(values)),
            "log_likelihood": float(model.score(values)),
            "inertia": within_cluster_sum_of_squares(values, labels),
            **quality_of(labels),
        })
        frames.append(_component_frame(matrix.feature_names, model, labels, k))
    diagnostics = pd.DataFrame(per_k)
    chosen, rule = choose_components(diagnostics["k"].to_numpy(), diagnostics["bic"].to_numpy(),
                                     n_components)
    diagnostics["is_chosen"] = diagnostics["k"] == chosen
    diagnostics["selection_rule"] = rule
    diagnostics["fit_customers"] = values.shape[0]
    return pd.concat(frames, ignore_index=True).merge(diagnostics, on="k", how="left")


def _centroids_at(
    kmeans_centroids: pd.DataFrame | None, k: int, feature_names: list[str]
) -> np.ndarray | None:
    if kmeans_centroids is None:
        return None
    at_k = kmeans_centroids[kmeans_centroids["k"] == k].sort_values("cluster_index")
    if len(at_k) != k:
        return None
    return at_k[feature_names].to_numpy(dtype=float)


def choose_components(
    ks: np.ndarray, bics: np.ndarray, n_components: int | None
) -> tuple[int, str]:
    """The number of components and the rule that chose it.

    The lowest BIC, unless it sits at the largest k tried: then BIC is still
    falling (common on real customer data, whose discrete and capped features
    no mixture fits exactly) and has found no optimum in the range, so the
    knee of the BIC curve (the Kneedle rule used for the inertia elbow) is
    taken instead, where extra components stop paying off.
    """
    if n_components is not None:
        return n_components, f"var n_clusters = {n_components}"
    span = f"k = {int(ks[0])}..{int(ks[-1])}"
    lowest = int(ks[int(np.argmin(bics))])
    if lowest == int(ks[-1]) and len(ks) >= 3:
        knee = knee_point(ks, bics)
        if knee is not None:
            return knee, f"knee of the BIC curve over {span} (BIC still falling at k = {lowest})"
    return lowest, f"lowest BIC over {span}"


def _component_frame(
    feature_names: list[str], model: GaussianMixture, labels: np.ndarray, k: int
) -> pd.DataFrame:
    sizes = np.bincount(labels, minlength=k)
    # Largest component first, then by mean, so indexes do not depend on the
    # order EM happened to find them in.
    order = sorted(range(k), key=lambda c: (-sizes[c], tuple(model.means_[c])))
    d = len(feature_names)
    rows = []
    for index, component in enumerate(order, start=1):
        chol = model.precisions_cholesky_[component]
        row = {
            "k": k,
            "component_index": index,
            "component_size": int(sizes[component]),
            "weight": float(model.weights_[component]),
            "log_det": float(np.log(np.diag(chol)).sum()),
        }
        row.update({name: float(model.means_[component][j])
                    for j, name in enumerate(feature_names)})
        row.update({f"prec_chol_{i}_{j}": float(chol[i, j])
                    for i in range(d) for j in range(i, d)})
        rows.append(row)
    return pd.DataFrame(rows)


def log_joint(values: np.ndarray, components: pd.DataFrame, feature_names: list[str]) -> np.ndarray:
    """log p(x, c) for every row and component of ``components`` (one k), by
    the formula the SQL scoring uses; rows x components."""
    d = len(feature_names)
    out = np.empty((values.shape[0], len(components)))
    for column, component in enumerate(components.itertuples(index=False)):
        record = component._asdict()
        mean = np.array([record[name] for name in feature_names])
        chol = np.zeros((d, d))
        for i in range(d):
            for j in range(i, d):
                chol[i, j] = record[f"prec_chol_{i}_{j}"]
        y = (values - mean) @ chol
        out[:, column] = (np.log(record["weight"]) + record["log_det"]
                          - 0.5 * d * np.log(2 * np.pi) - 0.5 * (y ** 2).sum(axis=1))
    return out
