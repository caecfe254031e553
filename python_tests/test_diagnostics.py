"""segmentation.diagnostics: the cluster-quality scores used to choose k."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_score,
)

from segmentation.diagnostics import (
    ClusterQuality,
    cluster_quality,
    davies_bouldin,
    silhouette_from_distances,
    within_cluster_sum_of_squares,
)


@pytest.fixture(scope="module")
def values():
    points, _ = make_blobs(n_samples=1200, centers=4, n_features=3, random_state=3)
    return points


def labellings(values):
    return {k: KMeans(n_clusters=k, n_init=1, random_state=0).fit(values).labels_
            for k in (2, 3, 4, 5)}


@pytest.mark.parametrize("sample_size", [300, 5000])
def test_scores_equal_scikit_learn_on_the_same_sample(values, sample_size):
    """Sampled or not, each labelling scores as scikit-learn scores it alone."""
    scorer = ClusterQuality(values, silhouette_sample_size=sample_size, random_state=7)
    for labels in labellings(values).values():
        scores = scorer(labels)
        expected_sample = sample_size if len(values) > sample_size else None
        assert scores["silhouette"] == pytest.approx(
            silhouette_score(values, labels, sample_size=expected_sample, random_state=7),
            rel=1e-9)
        assert scores["calinski_harabasz"] == pytest.approx(
            calinski_harabasz_score(values, labels), rel=1e-12)
        assert scores["davies_bouldin"] == pytest.approx(
            davies_bouldin_score(values, labels), rel=1e-12)


def test_reusing_the_scorer_changes_nothing(values):
    """The cached sample distances give what a fresh scorer gives, in any order."""
    scorer = ClusterQuality(values, silhouette_sample_size=300, random_state=7)
    by_k = labellings(values)
    reused = {k: scorer(labels) for k, labels in reversed(by_k.items())}
    for k, labels in by_k.items():
        assert reused[k] == cluster_quality(values, labels, silhouette_sample_size=300,
                                            random_state=7)


def test_undefined_scores_are_nan(values):
    scorer = ClusterQuality(values, silhouette_sample_size=300, random_state=7)
    one_cluster = scorer(np.zeros(len(values), dtype=int))
    assert all(np.isnan(v) for v in one_cluster.values())


def test_within_cluster_sum_of_squares_is_kmeans_inertia(values):
    model = KMeans(n_clusters=4, n_init=1, random_state=0).fit(values)
    assert within_cluster_sum_of_squares(values, model.labels_) == pytest.approx(model.inertia_,
                                                                                 rel=1e-6)


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_davies_bouldin_equals_scikit_learn(values, k):
    labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit(values).labels_
    assert davies_bouldin(values, labels) == pytest.approx(davies_bouldin_score(values, labels),
                                                           rel=1e-9)


def test_davies_bouldin_with_sparse_labels_and_coincident_centres():
    values = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    labels = np.array([3, 3, 7, 7])  # label values need not be 0..k-1
    assert davies_bouldin(values, labels) == pytest.approx(davies_bouldin_score(values, labels))
    same = np.array([[1.0, 1.0]] * 4)
    assert davies_bouldin(same, np.array([0, 0, 1, 1])) == pytest.approx(
        davies_bouldin_score(same, np.array([0, 0, 1, 1])))


@pytest.mark.parametrize("k", [2, 4, 7])
def test_silhouette_from_distances_equals_scikit_learn(values, k):
    labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit(values).labels_
    distances = pairwise_distances(values)
    assert silhouette_from_distances(distances, labels) == pytest.approx(
        silhouette_score(distances, labels, metric="precomputed"), rel=1e-9)


def test_silhouette_singletons_score_zero_and_one_cluster_is_nan():
    values = np.array([[0.0], [0.1], [5.0], [9.0]])
    labels = np.array([0, 0, 1, 2])  # clusters 1 and 2 are singletons
    distances = pairwise_distances(values)
    assert silhouette_from_distances(distances, labels) == pytest.approx(
        silhouette_score(values, labels))
    assert np.isnan(silhouette_from_distances(distances, np.zeros(4, dtype=int)))
