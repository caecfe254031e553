"""segmentation.hierarchical: exact Ward, weighted Ward, cuts, the tree frame, scale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, pairwise_distances_argmin

from segmentation.hierarchical import (
    cut_linkage,
    hierarchical_k_diagnostics,
    hierarchical_tree,
    microclusters,
    ward_linkage,
)

CENTRES = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10], [10, 10, 10]], float)
FEATURES = ["f1", "f2", "f3"]


def blob_table(n_centres: int = 4, per_centre: int = 100, random_state: int = 0):
    values, labels = make_blobs(n_samples=per_centre * n_centres, centers=CENTRES[:n_centres],
                                cluster_std=1.0, random_state=random_state)
    frame = pd.DataFrame(values, columns=FEATURES)
    frame.insert(0, "customer_id", [f"{i:06d}" for i in range(1, len(frame) + 1)])
    return frame, labels


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return adjusted_rand_score(a, b) == pytest.approx(1.0)


# --------------------------------------------------------------------------- ward_linkage


@pytest.mark.parametrize("shape", [(2, 1), (3, 2), (60, 3), (250, 6)])
def test_ward_equals_scipy_with_unit_weights(shape):
    points = np.random.default_rng(shape[0]).normal(size=shape)
    np.testing.assert_allclose(ward_linkage(points), linkage(points, "ward"),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ward_linkage(points, np.ones(shape[0])), linkage(points, "ward"),
                               rtol=1e-10, atol=1e-10)


def test_linkage_matrix_format():
    points = np.random.default_rng(5).normal(size=(40, 2))
    weights = np.random.default_rng(6).integers(1, 9, 40).astype(float)
    z = ward_linkage(points, weights)
    m = len(points)
    assert z.shape == (m - 1, 4)
    assert np.all(np.diff(z[:, 2]) >= 0)  # height order
    assert np.all(z[:, 0] < z[:, 1])
    for row in range(m - 1):  # children exist before their parent
        assert z[row, 1] < m + row
    children = z[:, :2].ravel().astype(int)
    assert sorted(children) == list(range(2 * m - 2))  # every node but the root once
    assert z[-1, 3] == pytest.approx(weights.sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_ward_equals_ward_on_repeated_points(seed):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(30, 2))
    weights = rng.integers(1, 6, size=30)
    weighted = ward_linkage(points, weights.astype(float))

    repeated = np.repeat(points, weights, axis=0)
    owner = np.repeat(np.arange(30), weights)
    plain = linkage(repeated, "ward")
    # Copies of one point merge first, at height 0; the rest is the weighted tree.
    n_copies = len(repeated) - len(points)
    np.testing.assert_allclose(plain[:n_copies, 2], 0.0, atol=1e-12)
    np.testing.assert_allclose(plain[n_copies:, 2], weighted[:, 2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(plain[n_copies:, 3], weighted[:, 3])
    for k in range(1, 31):
        by_point = cut_linkage(weighted, k)
        by_copy = fcluster(plain, k, criterion="maxclust")
        assert same_partition(by_point[owner], by_copy), k


def test_weight_scaling_keeps_the_tree():
    points = np.random.default_rng(3).normal(size=(25, 3))
    weights = np.random.default_rng(4).integers(1, 10, 25).astype(float)
    base = ward_linkage(points, weights)
    doubled = ward_linkage(points, 2 * weights)
    np.testing.assert_array_equal(base[:, :2], doubled[:, :2])
    np.testing.assert_allclose(doubled[:, 2], np.sqrt(2) * base[:, 2])


@pytest.mark.parametrize("points, weights", [
    (np.zeros((1, 2)), None),
    (np.zeros((3, 2)), np.array([1.0, 0.0, 1.0])),
    (np.zeros((3, 2)), np.array([1.0, 1.0])),
])
def test_ward_rejects_bad_input(points, weights):
    with pytest.raises(ValueError):
        ward_linkage(points, weights)


# --------------------------------------------------------------------------- cut_linkage


def test_cut_gives_k_labels_matching_scipy():
    points = np.random.default_rng(8).normal(size=(50, 2))
    z = ward_linkage(points)
    for k in range(1, 51):
        labels = cut_linkage(z, k)
        assert labels.dtype == np.int64 and len(labels) == 50
        assert sorted(np.unique(labels)) == list(range(k))
        # Numbered in order of each cluster's first leaf.
        _, first = np.unique(labels, return_index=True)
        assert np.all(np.diff(first) > 0) and labels[0] == 0
        assert same_partition(labels, fcluster(z, k, criterion="maxclust"))


def test_cut_out_of_range():
    z = ward_linkage(np.random.default_rng(0).normal(size=(5, 2)))
    for k in (0, 6):
        with pytest.raises(ValueError, match="cannot cut"):
            cut_linkage(z, k)


# --------------------------------------------------------------------------- microclusters


def test_microclusters_keep_distinct_rows_when_few():
    values = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [3.0, 4.0], [1.0, 2.0]])
    centres, weights = microclusters(values, 10, random_state=0)
    as_dict = {tuple(c): w for c, w in zip(centres.tolist(), weights.tolist(), strict=True)}
    assert as_dict == {(0.0, 0.0): 1.0, (1.0, 2.0): 3.0, (3.0, 4.0): 2.0}


def test_microclusters_compress_and_keep_weight():
    values = np.random.default_rng(1).normal(size=(3000, 4))
    centres, weights = microclusters(values, 50, random_state=0)
    assert centres.shape == (50, 4) and weights.shape == (50,)
    assert (weights > 0).all() and weights.sum() == 3000


def test_microcluster_centres_are_means_of_their_rows():
    """Ward over weighted points is exact only if each point is its rows' mean:
    then the weighted mean of the centres is the mean of all rows."""
    values = np.random.default_rng(1).normal(size=(3000, 4))
    centres, weights = microclusters(values, 50, random_state=0)
    np.testing.assert_allclose((centres * weights[:, None]).sum(0) / weights.sum(),
                               values.mean(0), atol=1e-9)


# --------------------------------------------------------------------------- hierarchical_tree


@pytest.fixture(scope="module")
def blobs():
    return blob_table(4, per_centre=150)


@pytest.fixture(scope="module")
def tree(blobs):
    return hierarchical_tree(blobs[0], n_microclusters=80, random_state=42)


def test_tree_invariants(blobs, tree):
    frame, _ = blobs
    leaves = tree[tree["is_leaf"]]
    m = len(leaves)
    assert m == 80
    assert len(tree) == 2 * m - 1
    assert tree["node_id"].tolist() == list(range(2 * m - 1))
    assert leaves["node_id"].tolist() == list(range(m))
    assert leaves["left_child_id"].isna().all() and leaves["right_child_id"].isna().all()
    assert leaves["merge_order"].isna().all() and (leaves["merge_height"] == 0).all()
    merges = tree[~tree["is_leaf"]]
    assert merges["merge_order"].tolist() == list(range(1, m))
    assert merges["merge_height"].is_monotonic_increasing
    children = pd.concat([merges["left_child_id"], merges["right_child_id"]]).astype(int)
    assert sorted(children) == list(range(2 * m - 2))

    # Fit customers add up from the leaves to the root.
    assert leaves["fit_customers"].sum() == len(frame)
    assert tree.iloc[-1]["fit_customers"] == len(frame)
    by_id = tree.set_index("node_id")
    for node in merges.itertuples():
        assert node.fit_customers == (by_id.loc[node.left_child_id, "fit_customers"]
                                      + by_id.loc[node.right_child_id, "fit_customers"])

    # Leaves are drawn at 0..m-1; a merge sits midway between its children.
    assert sorted(leaves["dendrogram_x"]) == list(range(m))
    for node in merges.itertuples():
        assert node.dendrogram_x == pytest.approx(
            (by_id.loc[node.left_child_id, "dendrogram_x"]
             + by_id.loc[node.right_child_id, "dendrogram_x"]) / 2)


def test_tree_root_centroid_is_the_mean_of_the_fit_rows(blobs, tree):
    """A node's centroid is the mean of the customers under it: at the root, all of them."""
    frame, _ = blobs
    root = tree.iloc[-1]
    np.testing.assert_allclose(root[FEATURES].to_numpy(float), frame[FEATURES].mean().to_numpy(),
                               atol=1e-9)


def tree_linkage(tree: pd.DataFrame) -> np.ndarray:
    merges = tree[~tree["is_leaf"]].sort_values("merge_order")
    columns = ["left_child_id", "right_child_id", "merge_height", "fit_customers"]
    return merges[columns].to_numpy(float)


def test_tree_leaf_ranges_hold_exactly_the_leaves_under_each_node(tree):
    """ml_hierarchical_cut finds a node's cluster by range containment, so the
    leaf range of every node must hold its own leaves and no other."""
    by_id = tree.set_index("node_id")
    leaves_x = tree[tree["is_leaf"]].set_index("node_id")["dendrogram_x"]

    def leaves_under(node: int) -> set[int]:
        if by_id.loc[node, "is_leaf"]:
            return {node}
        return (leaves_under(int(by_id.loc[node, "left_child_id"]))
                | leaves_under(int(by_id.loc[node, "right_child_id"])))

    for node in tree["node_id"]:
        low, high = by_id.loc[node, "leaf_x_from"], by_id.loc[node, "leaf_x_to"]
        in_range = set(leaves_x[(leaves_x >= low) & (leaves_x <= high)].index)
        assert in_range == leaves_under(int(node))


def cut_centroids(tree: pd.DataFrame, k: int) -> np.ndarray:
    """Cluster centroids at k: the fit-weighted mean of each cluster's leaves."""
    leaves = tree[tree["is_leaf"]].sort_values("node_id")
    labels = cut_linkage(tree_linkage(tree), k)
    weights = leaves["fit_customers"].to_numpy(float)
    values = leaves[FEATURES].to_numpy(float)
    return np.array([np.average(values[labels == c], axis=0, weights=weights[labels == c])
                     for c in range(k)])


def test_tree_recovers_planted_blobs(blobs, tree):
    frame, labels = blobs
    nearest = pairwise_distances_argmin(frame[FEATURES].to_numpy(), cut_centroids(tree, 4))
    assert adjusted_rand_score(labels, nearest) >= 0.9


def test_tree_is_deterministic_and_order_free(blobs, tree):
    frame, _ = blobs
    shuffled = frame.sample(frac=1.0, random_state=1)
    again = hierarchical_tree(shuffled, n_microclusters=80, random_state=42)
    pd.testing.assert_frame_equal(again, tree, check_exact=True)


def test_tree_exact_when_rows_fit_in_microclusters():
    frame, labels = blob_table(3, per_centre=20)
    tree = hierarchical_tree(frame, n_microclusters=400)
    assert tree["is_leaf"].sum() == 60
    merges = tree[~tree["is_leaf"]]
    np.testing.assert_allclose(merges["merge_height"],
                               linkage(frame.sort_values("customer_id")[FEATURES], "ward")[:, 2])


def test_tree_needs_enough_profiles():
    frame = pd.DataFrame({"customer_id": list("abcd"), "f1": [1.0, 1.0, 1.0, 1.0]})
    with pytest.raises(ValueError, match="only 1 distinct customer profile"):
        hierarchical_tree(frame)


# --------------------------------------------------------------------------- diagnostics


def test_k_diagnostics_one_row_per_k(blobs, tree):
    frame, _ = blobs
    diagnostics = hierarchical_k_diagnostics(frame, tree, k_min=2, k_max=7)
    assert diagnostics["k"].tolist() == list(range(2, 8))
    assert (diagnostics["fit_customers"] == len(frame)).all()
    assert diagnostics["inertia"].is_monotonic_decreasing
    assert diagnostics.loc[diagnostics["silhouette"].idxmax(), "k"] == 4
    assert diagnostics[["silhouette", "calinski_harabasz", "davies_bouldin"]].notna().all().all()


def test_k_diagnostics_stop_at_the_number_of_leaves():
    frame, _ = blob_table(2, per_centre=3)
    tree = hierarchical_tree(frame, n_microclusters=400)
    diagnostics = hierarchical_k_diagnostics(frame, tree, k_min=2, k_max=10)
    assert diagnostics["k"].tolist() == list(range(2, 7))


# --------------------------------------------------------------------------- scale

SCALE_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time
    import numpy as np
    from sklearn.datasets import make_blobs
    from segmentation.hierarchical import microclusters, ward_linkage

    values, _ = make_blobs(n_samples=200_000, n_features=6, centers=8, cluster_std=1.5,
                           random_state=0)
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    before_cpu = time.process_time()
    started = time.perf_counter()
    centres, weights = microclusters(values, 400, random_state=42)
    z = ward_linkage(centres, weights)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - before_cpu,
        "extra_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before_rss,
        "leaves": len(weights), "weight": float(weights.sum()), "root": float(z[-1, 3]),
    }))
""")
SCALE_TIMEOUT_SECONDS = 600  # a hang guard: CPU seconds are the bound below
SCALE_CPU_SECONDS = 30
SCALE_EXTRA_BYTES = 1.5 * 2**30


def test_microclusters_and_ward_scale_to_200k_rows():
    """The fit path on 200,000 x 6 rows: bounded time and memory (nothing n x n).

    Runs in a child process on one thread, so its peak RSS and CPU time are
    its own, whatever else this session runs at the same time.
    """
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    try:
        completed = subprocess.run([sys.executable, "-c", SCALE_SCRIPT], env=env,
                                   capture_output=True, text=True,
                                   timeout=SCALE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"microclusters(200,000 x 6, 400) + ward_linkage did not finish within "
                    f"{SCALE_TIMEOUT_SECONDS} s")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["leaves"] == 400
    assert result["weight"] == result["root"] == 200_000
    assert result["extra_bytes"] < SCALE_EXTRA_BYTES, result
    assert result["cpu_seconds"] < SCALE_CPU_SECONDS, result
