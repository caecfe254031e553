"""DBSCAN: density-based segments, with customers in no dense region as noise.

DBSCAN needs no k: a customer is a *core* customer when at least
``min_samples`` customers (itself included) lie within ``eps`` of it, clusters
are the connected core customers plus the customers within ``eps`` of them, and
everyone else is noise. It finds groups of any shape and names outliers, which
KMeans cannot; it needs a density that separates groups, which customer data
does not always have.

Choosing the parameters (Ester et al., 1996; Schubert et al., 2017):
``min_samples`` defaults to twice the number of model inputs, and ``eps`` is the
knee of the sorted k-distance curve (each row's distance to its
``min_samples``-th nearest row, itself included): below the knee distances grow
slowly (dense regions), above it they shoot up (outliers).

Scale: DBSCAN runs on a bounded sample. Every other customer is assigned in SQL
from a few *representatives* of each cluster's core customers (KMeans centres of
those core customers, each with the radius of its group): a representative is
within reach when the customer is at most ``eps`` from its ball, and the
customer joins the cluster of the nearest centre within reach, else it is
noise. A customer within ``eps`` of a core customer always has one in reach,
so nothing DBSCAN would cluster becomes noise; a customer in the hollow of a
ball may be clustered where DBSCAN would not. How often the
rule agrees with exact DBSCAN membership is measured on fit rows outside the
DBSCAN sample and stored (``assignment_agreement``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.cluster import DBSCAN, KMeans
from sklearn.neighbors import NearestNeighbors

from segmentation.diagnostics import ClusterQuality, within_cluster_sum_of_squares
from segmentation.k_selection import knee_point
from segmentation.matrix import to_feature_matrix

NOISE = 0


def k_distances(values: np.ndarray, min_samples: int) -> np.ndarray:
    """Each row's distance to its ``min_samples``-th nearest row (itself
    counted first, as DBSCAN counts it), sorted ascending. A row is core for
    an eps at least its k-distance."""
    k = min(min_samples, values.shape[0])
    distances, _ = NearestNeighbors(n_neighbors=k).fit(values).kneighbors(values)
    return np.sort(distances[:, k - 1])


def eps_from_knee(curve: np.ndarray) -> float:
    """The knee of an ascending k-distance curve (Kneedle, as for the inertia
    elbow, on the curve read from its end). The median k-distance when the
    curve has no bend; never 0 (the smallest positive k-distance, or 1e-9
    when every row has ``min_samples`` exact duplicates)."""
    reversed_curve = curve[::-1]
    knee = knee_point(np.arange(curve.size), reversed_curve)
    eps = float(np.median(curve)) if knee is None else float(reversed_curve[knee])
    if eps <= 0:
        # Many identical customers (k-distance 0): the smallest real distance.
        positive = curve[curve > 0]
        # Every row has min_samples exact duplicates: clusters of identical rows.
        eps = float(positive[0]) if positive.size else 1e-9
    return eps


def dbscan_model(
    table: pa.Table | pd.DataFrame,
    *,
    eps: float | None = None,
    min_samples: int | None = None,
    sample_size: int = 5000,
    n_representatives: int = 32,
    silhouette_sample_size: int = 5000,
    random_state: int = 42,
) -> pd.DataFrame:
    """Fit DBSCAN on (an evenly spaced sample of) ``table`` and describe its
    clusters by representatives that SQL can score every customer against.

    Returns one row per representative: ``cluster_index`` (1..k, largest
    cluster first), ``representative_index``, ``radius`` (largest distance from
    the representative to the core rows it stands for), the representative's
    coordinates (one column per feature) and, repeated on every row, the fit:
    ``eps``, ``min_samples``, ``eps_rule``, ``k`` (clusters found),
    ``noise_share`` (of the DBSCAN sample), ``inertia``, ``silhouette``,
    ``calinski_harabasz``, ``davies_bouldin`` (over the clustered rows),
    ``fit_customers`` and ``assignment_agreement``. When DBSCAN finds no
    cluster (everyone is noise) the one row has cluster_index NOISE and no
    coordinates, so the fit is still reported.
    """
    matrix = to_feature_matrix(table)
    values = matrix.values
    n_features = values.shape[1]
    min_samples = min_samples if min_samples is not None else 2 * n_features
    if min_samples < 2:
        raise ValueError(f"min_samples must be at least 2, got {min_samples}")
    rows = np.arange(values.shape[0])
    if values.shape[0] > sample_size:
        # The table is a deterministic sample ordered by id: take evenly spaced rows.
        rows = np.linspace(0, values.shape[0] - 1, sample_size).round().astype(int)
    sample = values[rows]
    if eps is None:
        eps = eps_from_knee(k_distances(sample, min_samples))
        eps_rule = f"knee of the sorted {min_samples}-distance curve"
    else:
        eps_rule = "var dbscan_eps"
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")

    fitted = DBSCAN(eps=eps, min_samples=min_samples).fit(sample)
    labels = _relabel_by_size(fitted.labels_)
    core = np.zeros(sample.shape[0], dtype=bool)
    core[fitted.core_sample_indices_] = True
    representatives = _representatives(sample, labels, core, n_representatives, random_state)

    clustered = labels != NOISE
    k = int(labels.max())
    quality = ClusterQuality(sample[clustered], silhouette_sample_size=silhouette_sample_size,
                             random_state=random_state)(labels[clustered]) if k >= 2 else {
        "silhouette": np.nan, "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
    held_out = np.setdiff1d(np.arange(values.shape[0]), rows)
    fit = {
        "eps": float(eps),
        "min_samples": int(min_samples),
        "eps_rule": eps_rule,
        "k": k,
        "noise_share": float(1 - clustered.mean()),
        "inertia": within_cluster_sum_of_squares(sample[clustered], labels[clustered])
        if k >= 1 else np.nan,
        **quality,
        "fit_customers": int(sample.shape[0]),
        "assignment_agreement": _assignment_agreement(
            values[held_out], sample, labels, core, representatives, eps),
    }
    frame = pd.DataFrame([
        {"cluster_index": cluster, "representative_index": index, "radius": radius,
         **dict(zip(matrix.feature_names, centre, strict=True))}
        for index, (cluster, radius, centre) in enumerate(representatives, start=1)
    ], columns=["cluster_index", "representative_index", "radius", *matrix.feature_names])
    if frame.empty:
        no_cluster = {"cluster_index": NOISE, "representative_index": 0, "radius": np.nan}
        frame = pd.DataFrame([{**no_cluster, **dict.fromkeys(matrix.feature_names, np.nan)}])
    for column, value in fit.items():
        frame[column] = value
    return frame


def assign(
    values: np.ndarray, representatives: list[tuple[int, float, np.ndarray]], eps: float
) -> np.ndarray:
    """The rule the SQL scoring applies. A representative is within reach of a
    row when the row is at most eps from its ball (centre distance - radius
    <= eps); the row joins the cluster of the nearest centre within reach
    (ties to the lower representative), or is NOISE when none is. The nearest
    centre, not the nearest ball: a wide ball would otherwise claim the rows
    of a tight cluster it overlaps."""
    if not representatives:
        return np.full(values.shape[0], NOISE)
    centres = np.stack([centre for _, _, centre in representatives])
    radii = np.array([radius for _, radius, _ in representatives])
    clusters = np.array([cluster for cluster, _, _ in representatives])
    out = np.empty(values.shape[0], dtype=int)
    # In chunks: rows x representatives x features floats at once can be large.
    for start in range(0, values.shape[0], 10_000):
        chunk = values[start:start + 10_000]
        distance = np.sqrt(((chunk[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
        reachable = np.where(distance - radii <= eps, distance, np.inf)
        best = reachable.argmin(axis=1)
        out[start:start + 10_000] = np.where(
            np.isfinite(reachable[np.arange(chunk.shape[0]), best]), clusters[best], NOISE)
    return out


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """DBSCAN's labels (-1 noise, 0..k-1) as NOISE and 1..k, largest cluster
    first (ties by first appearance), so indexes do not depend on scan order."""
    out = np.full(labels.shape[0], NOISE)
    found = [label for label in np.unique(labels) if label >= 0]
    sizes = {label: int((labels == label).sum()) for label in found}
    first = {label: int(np.argmax(labels == label)) for label in found}
    for index, label in enumerate(sorted(found, key=lambda c: (-sizes[c], first[c])), start=1):
        out[labels == label] = index
    return out


def _representatives(
    sample: np.ndarray, labels: np.ndarray, core: np.ndarray, n_representatives: int,
    random_state: int,
) -> list[tuple[int, float, np.ndarray]]:
    """(cluster, radius, centre) per representative: each cluster's core rows
    grouped by KMeans into a share of ``n_representatives`` proportional to
    the cluster's core rows (at least one each)."""
    clusters = [c for c in np.unique(labels[core]) if c != NOISE]
    n_core = int(core.sum())
    out = []
    for cluster in clusters:
        members = sample[core & (labels == cluster)]
        m = max(1, min(len(members), round(n_representatives * len(members) / n_core)))
        if m == 1:
            centres, groups = members.mean(axis=0, keepdims=True), np.zeros(len(members), int)
        else:
            model = KMeans(n_clusters=m, n_init=1, random_state=random_state).fit(members)
            centres, groups = model.cluster_centers_, model.labels_
        for g, centre in enumerate(centres):
            spread = np.sqrt(((members[groups == g] - centre) ** 2).sum(axis=1))
            out.append((int(cluster), float(spread.max()) if spread.size else 0.0, centre))
    return out


def _assignment_agreement(
    held_out: np.ndarray, sample: np.ndarray, labels: np.ndarray, core: np.ndarray,
    representatives: list[tuple[int, float, np.ndarray]], eps: float,
) -> float:
    """Share of held-out rows the representative rule labels as exact DBSCAN
    would (the cluster of the nearest core row within eps, else noise); NaN
    without held-out rows."""
    if held_out.shape[0] == 0:
        return float("nan")
    if not core.any():
        exact = np.full(held_out.shape[0], NOISE)
    else:
        distance, nearest = NearestNeighbors(n_neighbors=1).fit(sample[core]).kneighbors(held_out)
        exact = np.where(distance[:, 0] <= eps, labels[core][nearest[:, 0]], NOISE)
    return float((assign(held_out, representatives, eps) == exact).mean())
