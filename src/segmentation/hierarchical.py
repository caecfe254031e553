"""Ward hierarchical clustering that scales: Ward over weighted micro-clusters.

Exact Ward needs the n x n distance matrix: 20,000 customers already take
about 3 GB and a million cannot fit. Here the (sampled) customers are first
compressed into at most a few hundred KMeans micro-clusters, each carrying
its member count as a weight, and Ward's criterion is applied exactly to
those weighted points. With one customer per micro-cluster this is plain
Ward; with many it is the standard two-stage approach (as in BIRCH), and
the resulting tree is the dendrogram stored in the cluster_linkage mart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.cluster import MiniBatchKMeans
from sklearn.metrics import pairwise_distances_argmin

from segmentation.diagnostics import ClusterQuality, within_cluster_sum_of_squares
from segmentation.matrix import to_feature_matrix


def ward_linkage(points: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Ward linkage of weighted points, in SciPy's linkage-matrix format.

    Uses the nearest-neighbour-chain algorithm: O(m^2) time and O(m) extra
    memory for m points. The distance between clusters A and B is
    sqrt(2 * nA * nB / (nA + nB)) * ||centroid(A) - centroid(B)||, which is
    SciPy's Ward distance; with unit weights the result equals
    ``scipy.cluster.hierarchy.linkage(points, "ward")``.

    Parameters
    ----------
    points : ndarray, shape (m, n_features)
    weights : ndarray, shape (m,), optional
        Positive weight (customer count) of each point; 1 when omitted.

    Returns
    -------
    ndarray, shape (m - 1, 4)
        Row i merges nodes ``Z[i, 0]`` and ``Z[i, 1]`` (leaves are 0..m-1,
        the node made by row i is m + i) at height ``Z[i, 2]``; ``Z[i, 3]``
        is the total weight under the new node. Rows are in height order.
    """
    points = np.asarray(points, dtype=np.float64)
    m = points.shape[0]
    if m < 2:
        raise ValueError("Ward linkage needs at least two points")
    weights = np.ones(m) if weights is None else np.asarray(weights, dtype=np.float64)
    if weights.shape != (m,) or (weights <= 0).any():
        raise ValueError("weights must be one positive number per point")

    centroids = points.copy()
    sizes = weights.copy()
    active = np.ones(m, dtype=bool)
    merges: list[tuple[int, int, float]] = []  # (slot kept, slot absorbed, height)
    chain: list[int] = []
    while len(merges) < m - 1:
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        current = chain[-1]
        distances = _ward_distances(centroids, sizes, current)
        distances[~active] = np.inf
        distances[current] = np.inf
        nearest = int(np.argmin(distances))
        # Prefer the previous chain element on ties, or the chain can cycle.
        if len(chain) > 1 and distances[chain[-2]] <= distances[nearest]:
            nearest = chain[-2]
        if len(chain) > 1 and nearest == chain[-2]:
            chain.pop()
            chain.pop()
            kept, absorbed = min(current, nearest), max(current, nearest)
            total = sizes[kept] + sizes[absorbed]
            centroids[kept] = (
                sizes[kept] * centroids[kept] + sizes[absorbed] * centroids[absorbed]
            ) / total
            sizes[kept] = total
            active[absorbed] = False
            merges.append((kept, absorbed, float(distances[nearest])))
        else:
            chain.append(nearest)
    return _to_linkage_matrix(merges, weights)


def _ward_distances(centroids: np.ndarray, sizes: np.ndarray, index: int) -> np.ndarray:
    squared = ((centroids - centroids[index]) ** 2).sum(axis=1)
    factor = 2.0 * sizes * sizes[index] / (sizes + sizes[index])
    return np.sqrt(factor * squared)


def _to_linkage_matrix(merges: list[tuple[int, int, float]], weights: np.ndarray) -> np.ndarray:
    """Order the chain's merges by height and name nodes the SciPy way."""
    m = len(weights)
    order = sorted(range(len(merges)), key=lambda i: (merges[i][2], i))
    parent = list(range(m))
    node_of_root = list(range(m))
    size_of_root = list(weights)

    def root(slot: int) -> int:
        while parent[slot] != slot:
            parent[slot] = parent[parent[slot]]
            slot = parent[slot]
        return slot

    linkage = np.empty((m - 1, 4))
    for row, merge_index in enumerate(order):
        kept, absorbed, height = merges[merge_index]
        a, b = root(kept), root(absorbed)
        left, right = sorted((node_of_root[a], node_of_root[b]))
        parent[b] = a
        size_of_root[a] += size_of_root[b]
        node_of_root[a] = m + row
        linkage[row] = (left, right, height, size_of_root[a])
    return linkage


def cut_linkage(linkage: np.ndarray, k: int) -> np.ndarray:
    """Leaf labels 0..k-1 after undoing the last k-1 merges of ``linkage``.

    Labels are numbered in order of each cluster's smallest leaf.
    """
    m = linkage.shape[0] + 1
    if not 1 <= k <= m:
        raise ValueError(f"cannot cut a tree of {m} leaves into {k} clusters")
    parent = np.arange(2 * m - 1)
    for row in range(m - k):
        new_node = m + row
        parent[int(linkage[row, 0])] = new_node
        parent[int(linkage[row, 1])] = new_node
    tops = np.empty(m, dtype=np.int64)
    for leaf in range(m):
        node = leaf
        while parent[node] != node:
            node = parent[node]
        tops[leaf] = node
    _, labels = np.unique(tops, return_inverse=True)
    # np.unique sorts by node id; renumber by first leaf for a stable order.
    first_leaf = {}
    for leaf, label in enumerate(labels):
        first_leaf.setdefault(label, leaf)
    renumber = {label: rank for rank, label in enumerate(sorted(first_leaf, key=first_leaf.get))}
    return np.array([renumber[label] for label in labels], dtype=np.int64)


def microclusters(
    values: np.ndarray, n_microclusters: int, *, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Compress rows into at most ``n_microclusters`` weighted centroids.

    Returns (centroids of shape (m, n_features), weights of shape (m,)). When
    there are no more distinct rows than ``n_microclusters``, every distinct
    row is its own micro-cluster and the Ward tree above it is exact.
    """
    distinct, counts = np.unique(values, axis=0, return_counts=True)
    if len(distinct) <= n_microclusters:
        return distinct, counts.astype(np.float64)
    # Mini-batch updates: a few hundred centres over tens of thousands of rows
    # in about a second; micro-clusters only need to be small, not optimal.
    model = MiniBatchKMeans(
        n_clusters=n_microclusters, n_init=1, batch_size=4096, random_state=random_state
    ).fit(values)
    labels = model.predict(values)
    weights = np.bincount(labels, minlength=n_microclusters).astype(np.float64)
    # Mini-batch centres are running averages; Ward over weighted points is
    # exact only when each centre is the mean of the rows it stands for.
    sums = np.zeros((n_microclusters, values.shape[1]))
    np.add.at(sums, labels, values)
    keep = weights > 0
    return sums[keep] / weights[keep, None], weights[keep]


def hierarchical_tree(
    table: pa.Table | pd.DataFrame,
    *,
    n_microclusters: int = 400,
    random_state: int = 42,
) -> pd.DataFrame:
    """The Ward tree over micro-clusters of ``table``, uncut.

    The tree does not depend on k, so it can be grown while KMeans chooses k;
    the ``ml_hierarchical_cut`` model cuts it in SQL. Returns one row per tree
    node (leaves are micro-clusters): ``node_id`` (leaves 0..m-1, merges
    m..2m-2 in height order), ``left_child_id`` / ``right_child_id`` (null for
    leaves), ``merge_height`` (Ward distance; 0 for leaves), ``merge_order``,
    ``fit_customers`` (fit rows under the node), ``is_leaf``, ``dendrogram_x``
    (leaves 0..m-1 left to right as a dendrogram draws them; a merge sits
    midway between its children), ``leaf_x_from`` / ``leaf_x_to`` (the
    dendrogram positions of the leftmost and rightmost leaf under the node:
    node A lies under node B exactly when A's range is inside B's) and the
    node's centroid, one column per feature.

    Cutting into k clusters undoes the last k-1 merges (``merge_order`` above
    m - k), as :func:`cut_linkage` does.
    """
    matrix = to_feature_matrix(table)
    centers, weights = microclusters(matrix.values, n_microclusters, random_state=random_state)
    m = len(weights)
    if m < 2:
        raise ValueError(
            f"only {m} distinct customer profile(s): a tree needs at least two"
        )
    linkage = ward_linkage(centers, weights)
    n_nodes = 2 * m - 1
    node_centroids = np.vstack([centers, np.zeros((m - 1, centers.shape[1]))])
    node_sizes = np.concatenate([weights, linkage[:, 3]])
    x = _dendrogram_x(linkage, m)
    leaf_x_from = np.concatenate([x[:m], np.zeros(m - 1)])
    leaf_x_to = np.concatenate([x[:m], np.zeros(m - 1)])
    for row in range(m - 1):
        left, right, node = int(linkage[row, 0]), int(linkage[row, 1]), m + row
        node_centroids[node] = (
            node_sizes[left] * node_centroids[left] + node_sizes[right] * node_centroids[right]
        ) / node_sizes[node]
        leaf_x_from[node] = min(leaf_x_from[left], leaf_x_from[right])
        leaf_x_to[node] = max(leaf_x_to[left], leaf_x_to[right])

    frame = pd.DataFrame(node_centroids, columns=matrix.feature_names)
    left_child = np.concatenate([np.full(m, -1), linkage[:, 0]]).astype(np.int64)
    right_child = np.concatenate([np.full(m, -1), linkage[:, 1]]).astype(np.int64)
    meta = pd.DataFrame({
        "node_id": np.arange(n_nodes, dtype=np.int64),
        "left_child_id": pd.array(np.where(left_child < 0, None, left_child), dtype="Int64"),
        "right_child_id": pd.array(np.where(right_child < 0, None, right_child), dtype="Int64"),
        "merge_height": np.concatenate([np.zeros(m), linkage[:, 2]]),
        "merge_order": pd.array([None] * m + list(range(1, m)), dtype="Int64"),
        "fit_customers": node_sizes.round().astype(np.int64),
        "is_leaf": np.arange(n_nodes) < m,
        "dendrogram_x": x,
        "leaf_x_from": leaf_x_from.astype(np.int64),
        "leaf_x_to": leaf_x_to.astype(np.int64),
    })
    return pd.concat([meta, frame], axis=1)


def _dendrogram_x(linkage: np.ndarray, m: int) -> np.ndarray:
    """Leaf positions in drawing order (left child first), merges midway."""
    x = np.zeros(2 * m - 1)
    next_position = 0
    stack = [2 * m - 2]
    while stack:
        node = stack.pop()
        if node < m:
            x[node] = next_position
            next_position += 1
        else:
            row = node - m
            # Push right first so the left subtree is laid out first.
            stack.append(int(linkage[row, 1]))
            stack.append(int(linkage[row, 0]))
    for row in range(m - 1):
        x[m + row] = (x[int(linkage[row, 0])] + x[int(linkage[row, 1])]) / 2
    return x


def hierarchical_k_diagnostics(
    table: pa.Table | pd.DataFrame,
    tree: pd.DataFrame,
    *,
    k_min: int,
    k_max: int,
    silhouette_sample_size: int = 5000,
    random_state: int = 42,
) -> pd.DataFrame:
    """Quality of the Ward tree cut at each k, on the fit rows.

    Each fit row belongs to its nearest leaf (micro-cluster) of ``tree`` (as
    returned by :func:`hierarchical_tree`); cutting the tree at k then labels
    every row. Returns one row per k: ``k``, ``inertia``, ``silhouette``,
    ``calinski_harabasz``, ``davies_bouldin``, ``fit_customers``. Which k is
    used is decided in SQL (the k chosen for KMeans), so this can run while
    KMeans is still choosing.
    """
    matrix = to_feature_matrix(table)
    leaves = tree[tree["is_leaf"]].sort_values("node_id")
    merges = tree[~tree["is_leaf"]].sort_values("merge_order")
    linkage = merges[["left_child_id", "right_child_id", "merge_height", "fit_customers"]]
    linkage = linkage.to_numpy(dtype=np.float64)
    leaf_of_row = pairwise_distances_argmin(matrix.values, leaves[matrix.feature_names].to_numpy())
    m = len(leaves)
    quality_of = ClusterQuality(
        matrix.values, silhouette_sample_size=silhouette_sample_size, random_state=random_state
    )
    rows = []
    for k in range(k_min, min(k_max, m) + 1):
        labels = cut_linkage(linkage, k)[leaf_of_row]
        quality = quality_of(labels)
        rows.append({
            "k": k,
            "inertia": within_cluster_sum_of_squares(matrix.values, labels),
            **quality,
            "fit_customers": matrix.n_customers,
        })
    return pd.DataFrame(rows)
