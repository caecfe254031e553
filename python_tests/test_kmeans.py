"""segmentation.kmeans.kmeans_models and segmentation.matrix on hand-made blobs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, pairwise_distances_argmin

from segmentation.kmeans import candidate_ks, kmeans_models
from segmentation.matrix import to_feature_matrix

# Well-separated centres (10 apart, spread 1) in three features.
CENTRES = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10], [10, 10, 10]], float)
FEATURES = ["f1", "f2", "f3"]


def blobs(n_centres: int, per_centre: int = 60, random_state: int = 0) -> pd.DataFrame:
    values, _ = make_blobs(n_samples=per_centre * n_centres, centers=CENTRES[:n_centres],
                           cluster_std=1.0, random_state=random_state)
    frame = pd.DataFrame(values, columns=FEATURES)
    frame.insert(0, "customer_id", [f"{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


def fit(table, **kwargs) -> pd.DataFrame:
    return kmeans_models(table, **{"k_min": 2, "k_max": 7, "random_state": 42, **kwargs})


def chosen(models: pd.DataFrame) -> int:
    ks = models.loc[models["is_chosen"], "k"].unique()
    assert len(ks) == 1
    return int(ks[0])


@pytest.fixture(scope="module")
def four_blobs() -> pd.DataFrame:
    return blobs(4)


@pytest.fixture(scope="module")
def four_blob_models(four_blobs) -> pd.DataFrame:
    return fit(four_blobs)


@pytest.mark.parametrize("n_centres", [3, 4, 5])
def test_chooses_the_planted_number_of_clusters(n_centres, four_blob_models):
    models = four_blob_models if n_centres == 4 else fit(blobs(n_centres, random_state=1))
    assert chosen(models) == n_centres
    assert models["selection_rule"].iloc[0].startswith(f"clear structure at k={n_centres}")
    assert (models["selection_path"] == "clear_structure").all()
    # The elbow the rule names is the one flagged (the report marks that k).
    elbows = models.loc[models["is_elbow"], "k"].unique()
    named = re.search(r"elbow=(\d+)", models["selection_rule"].iloc[0])
    assert [int(k) for k in elbows] == [int(named.group(1))]


def test_output_shape(four_blobs, four_blob_models):
    models = four_blob_models
    assert sorted(models["k"].unique()) == list(range(2, 8))
    assert len(models) == sum(range(2, 8))  # one row per (k, cluster_index)
    assert not models.duplicated(["k", "cluster_index"]).any()
    for k, group in models.groupby("k"):
        assert sorted(group["cluster_index"]) == list(range(1, k + 1))
        assert group["cluster_size"].sum() == len(four_blobs)
        # Largest cluster first.
        assert group.sort_values("cluster_index")["cluster_size"].is_monotonic_decreasing
        for column in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin",
                       "is_chosen", "selection_rule", "fit_customers"):
            assert group[column].nunique() == 1, column
    assert set(FEATURES) <= set(models.columns)
    assert (models["fit_customers"] == len(four_blobs)).all()
    assert models.groupby("k")["is_chosen"].first().sum() == 1


def test_chosen_centroids_are_the_planted_centres(four_blob_models):
    centroids = four_blob_models.loc[four_blob_models["is_chosen"], FEATURES].to_numpy()
    distance = np.linalg.norm(centroids[:, None, :] - CENTRES[None, :4, :], axis=2)
    assert sorted(distance.argmin(axis=1)) == [0, 1, 2, 3]
    assert distance.min(axis=1).max() < 0.5


def test_deterministic(four_blobs, four_blob_models):
    pd.testing.assert_frame_equal(fit(four_blobs), four_blob_models, check_exact=True)


def test_row_order_does_not_matter(four_blobs, four_blob_models):
    shuffled = four_blobs.sample(frac=1.0, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(fit(shuffled), four_blob_models, check_exact=True)


def test_arrow_input_same_as_pandas(four_blobs, four_blob_models):
    table = pa.Table.from_pandas(four_blobs, preserve_index=False)
    pd.testing.assert_frame_equal(fit(table), four_blob_models, check_exact=True)


def test_n_clusters_forces_k(four_blobs):
    models = fit(four_blobs, k_min=2, k_max=4, n_clusters=6)
    assert chosen(models) == 6
    assert sorted(models["k"].unique()) == [2, 3, 4, 6]
    assert models["selection_rule"].iloc[0].startswith("forced by var n_clusters")


def test_k_range_limited_by_distinct_rows():
    frame = blobs(3, per_centre=2)  # 6 distinct rows
    models = fit(frame, k_min=2, k_max=10)
    assert models["k"].max() == 5  # silhouette needs k < n


def test_fewer_distinct_rows_than_k_min():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "f1": [1.0, 1.0, 2.0, 2.0]})
    with pytest.raises(ValueError, match=r"only 2 distinct customer profile\(s\).*3 clusters"):
        kmeans_models(frame, k_min=3, k_max=5)


def test_all_rows_identical():
    frame = pd.DataFrame({"customer_id": list("abcde"), "f1": [0.5] * 5, "f2": [1.0] * 5})
    with pytest.raises(ValueError, match="only 1 distinct customer profile"):
        kmeans_models(frame, k_min=2, k_max=4)


def test_fewer_rows_than_n_clusters(four_blobs):
    with pytest.raises(ValueError, match="n_clusters"):
        kmeans_models(four_blobs.head(3), k_min=2, k_max=4, n_clusters=5)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, None])
def test_null_or_infinite_feature_names_the_column(four_blobs, bad):
    frame = four_blobs.copy()
    frame["f2"] = frame["f2"].astype(object)
    frame.loc[5, "f2"] = bad
    with pytest.raises(ValueError, match=r"feature 'f2' is null or not finite.*'000006'"):
        kmeans_models(frame, k_min=2, k_max=4)


def test_null_in_arrow_table_names_the_column(four_blobs):
    table = pa.Table.from_pandas(four_blobs, preserve_index=False)
    f3 = table["f3"].to_pylist()
    f3[0] = None
    table = table.set_column(table.column_names.index("f3"), "f3", pa.array(f3))
    with pytest.raises(ValueError, match="feature 'f3'"):
        kmeans_models(table, k_min=2, k_max=4)


def test_empty_table():
    frame = pd.DataFrame({"customer_id": pd.Series([], dtype=str),
                          "f1": pd.Series([], dtype=float)})
    with pytest.raises(ValueError, match="no rows"):
        kmeans_models(frame)
    with pytest.raises(ValueError, match="no rows"):
        kmeans_models(pa.Table.from_pandas(frame, preserve_index=False))


class TestFeatureMatrix:
    def test_sorted_by_id(self):
        frame = pd.DataFrame({"customer_id": ["003", "001", "002"], "x": [3.0, 1.0, 2.0]})
        matrix = to_feature_matrix(frame)
        assert matrix.ids.tolist() == ["001", "002", "003"]
        assert matrix.values[:, 0].tolist() == [1.0, 2.0, 3.0]
        assert matrix.feature_names == ["x"] and matrix.n_customers == 3

    def test_no_id_column(self):
        with pytest.raises(ValueError, match="no 'customer_id' column"):
            to_feature_matrix(pd.DataFrame({"x": [1.0]}))

    def test_no_feature_columns(self):
        with pytest.raises(ValueError, match="no feature columns"):
            to_feature_matrix(pd.DataFrame({"customer_id": ["a"]}))

    def test_counts_bad_values(self):
        frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0],
                              "y": [np.inf, 1.0, np.nan]})
        with pytest.raises(ValueError, match=r"feature 'y'.*'a' \(2 customers in all\)"):
            to_feature_matrix(frame)


def test_candidate_ks():
    assert candidate_ks(100, 2, 10, None) == list(range(2, 11))
    assert candidate_ks(100, 3, 5, 8) == [3, 4, 5, 8]
    assert candidate_ks(4, 2, 10, None) == [2, 3]
    with pytest.raises(ValueError, match="fewer than the 3 clusters"):
        candidate_ks(2, 3, 10, None)


@pytest.mark.parametrize("n_groups", [2, 3, 5, 8])
def test_planted_groups_recovered_exactly(n_groups):
    # Groups planted in six features with overlapping spreads (as customers
    # are): the criteria see clear structure and recover every member.
    values, truth = make_blobs(n_samples=400 * n_groups, centers=n_groups, n_features=6,
                               cluster_std=1.0, center_box=(-10, 10), random_state=n_groups)
    frame = pd.DataFrame((values - values.mean(axis=0)) / values.std(axis=0),
                         columns=[f"f{i}" for i in range(6)])
    frame.insert(0, "customer_id", [f"{i:06d}" for i in range(1, len(frame) + 1)])
    models = kmeans_models(frame, k_min=2, k_max=10, random_state=42)
    assert chosen(models) == n_groups, models["selection_rule"].iloc[0]
    assert (models["selection_path"] == "clear_structure").all()
    centres = models[models["is_chosen"]].sort_values("cluster_index")[frame.columns[1:]]
    labels = pairwise_distances_argmin(frame[frame.columns[1:]].to_numpy(), centres.to_numpy())
    assert adjusted_rand_score(truth, labels) >= 0.95
