"""k-prototypes (Huang, 1997): clustering numeric and categorical features together.

One-hot KMeans treats "country = DE" as a number; k-prototypes treats it as a
category. A prototype holds the mean of each numeric feature and the mode of
each categorical one, and the distance of a customer to a prototype is

    sum of squared numeric differences + gamma * number of categories that differ

The numeric features arrive standardized (sd 1), so the default gamma = 0.5
follows Huang's suggestion of half the numeric standard deviation: one
differing category weighs as much as half a squared standard deviation. The
same distance is computed in SQL to score customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from segmentation.matrix import ID_COLUMN


def kprototypes(
    table: pa.Table | pd.DataFrame,
    categorical_columns: list[str],
    *,
    n_clusters: int,
    gamma: float = 0.5,
    n_init: int = 4,
    max_iter: int = 100,
    random_state: int = 42,
) -> pd.DataFrame:
    """Fit k-prototypes; return one row per prototype.

    Parameters
    ----------
    table : ``customer_id``, the categorical columns (text; nulls are a level
        of their own, '__missing__') and the numeric columns (standardized).
    categorical_columns : which columns are categorical; all others but the
        id are numeric.

    Returns
    -------
    DataFrame with ``cluster_index`` (1..k, largest first), one column per
    numeric feature (the mean) and per categorical feature (the mode, ties to
    the smallest level), ``cluster_size``, ``gamma``, ``cost`` (total distance
    of the fit rows to their prototypes) and ``fit_customers``.
    """
    frame = table.to_pandas() if isinstance(table, pa.Table) else table.copy()
    if ID_COLUMN not in frame.columns:
        raise ValueError(f"the k-prototypes table has no '{ID_COLUMN}' column")
    missing = [c for c in categorical_columns if c not in frame.columns]
    if missing:
        raise ValueError(f"categorical column(s) not in the table: {', '.join(missing)}")
    frame = frame.sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)
    numeric_columns = [c for c in frame.columns
                       if c != ID_COLUMN and c not in categorical_columns]
    for column in numeric_columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise ValueError(f"column '{column}' is not numeric: list it as categorical")
    numeric = frame[numeric_columns].to_numpy(dtype=np.float64)
    if not np.isfinite(numeric).all():
        raise ValueError("numeric k-prototypes inputs must be finite")
    levels, codes = [], []
    for column in categorical_columns:
        values = frame[column].astype("string").fillna("__missing__").to_numpy(dtype=object)
        column_levels, column_codes = np.unique(values, return_inverse=True)
        levels.append(column_levels)
        codes.append(column_codes)
    categorical = np.column_stack(codes) if codes else np.zeros((len(frame), 0), dtype=int)
    n_rows = len(frame)
    if n_rows < n_clusters:
        raise ValueError(f"only {n_rows} customers for {n_clusters} prototypes")

    rng = np.random.default_rng(random_state)
    best = None
    for _ in range(n_init):
        fit = _fit_once(numeric, categorical, n_clusters, gamma, max_iter, rng)
        if best is None or fit[2] < best[2] - 1e-9:
            best = fit
    means, modes, cost, labels = best
    sizes = np.bincount(labels, minlength=n_clusters)
    order = sorted(range(n_clusters), key=lambda c: (-sizes[c], tuple(means[c])))
    rows = []
    for index, cluster in enumerate(order, start=1):
        row = {"cluster_index": index}
        row.update({name: float(means[cluster, j]) for j, name in enumerate(numeric_columns)})
        row.update({name: str(levels[j][modes[cluster, j]])
                    for j, name in enumerate(categorical_columns)})
        row.update({"cluster_size": int(sizes[cluster]), "gamma": gamma, "cost": float(cost),
                    "fit_customers": n_rows})
        rows.append(row)
    return pd.DataFrame(rows)


def _distances(numeric, categorical, means, modes, gamma):
    squared = ((numeric[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    mismatches = (categorical[:, None, :] != modes[None, :, :]).sum(axis=2)
    return squared + gamma * mismatches


def _fit_once(numeric, categorical, k, gamma, max_iter, rng):
    n_rows = numeric.shape[0]
    # k-means++-style seeding on the mixed distance.
    centres = [int(rng.integers(n_rows))]
    for _ in range(1, k):
        distance = _distances(numeric, categorical, numeric[centres], categorical[centres],
                              gamma).min(axis=1)
        total = distance.sum()
        probabilities = distance / total if total > 0 else None
        centres.append(int(rng.choice(n_rows, p=probabilities)))
    means, modes = numeric[centres].copy(), categorical[centres].copy()
    labels = np.full(n_rows, -1)
    for _ in range(max_iter):
        new_labels = _distances(numeric, categorical, means, modes, gamma).argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for cluster in range(k):
            members = labels == cluster
            if not members.any():
                # An emptied prototype restarts at the row furthest from its own.
                far = _distances(numeric, categorical, means, modes, gamma)[
                    np.arange(n_rows), labels].argmax()
                means[cluster], modes[cluster] = numeric[far], categorical[far]
                continue
            means[cluster] = numeric[members].mean(axis=0)
            for j in range(categorical.shape[1]):
                counts = np.bincount(categorical[members, j])
                modes[cluster, j] = int(np.argmax(counts))  # ties: smallest level
    cost = _distances(numeric, categorical, means, modes, gamma)[np.arange(n_rows), labels].sum()
    return means, modes, float(cost), labels
