"""segmentation.stability: bootstrap agreement of refits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from segmentation.stability import (
    bootstrap_stability,
    cluster_stability,
    kmeans_refit,
    ward_refit,
)


def table_of(values: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=[f"f{i}" for i in range(values.shape[1])])
    frame.insert(0, "customer_id", [f"{i:05d}" for i in range(len(frame))])
    return frame


def centroids_frame(method: str, centres: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(centres, columns=[f"f{i}" for i in range(centres.shape[1])])
    frame.insert(0, "cluster_index", range(1, len(frame) + 1))
    frame.insert(0, "method", method)
    return frame


@pytest.fixture(scope="module")
def blobs():
    values, _ = make_blobs(n_samples=3000, centers=4, n_features=3, cluster_std=0.8,
                           random_state=5)
    return values


def test_real_clusters_are_stable(blobs):
    centres = KMeans(n_clusters=4, n_init=4, random_state=0).fit(blobs).cluster_centers_
    stability = bootstrap_stability(blobs, centres, kmeans_refit, n_bootstraps=5,
                                    sample_size=1000)
    assert stability.ari > 0.95 and stability.ari_sd < 0.05
    assert stability.segment_jaccard.shape == (4,)
    assert stability.min_segment_jaccard > 0.95


def test_one_dissolving_segment_is_seen_though_the_ari_is_good():
    """Four large separate groups and one small round one cut in two: the two
    halves trade members from refit to refit. The ARI, dominated by the large
    groups, stays high; the two halves' own Jaccard does not."""
    rng = np.random.default_rng(3)
    large = [rng.normal(centre, 0.5, size=(1500, 2)) for centre in ((0, 0), (20, 0), (0, 20),
                                                                    (20, 20))]
    small = rng.normal((40, 40), 2.0, size=(300, 2))
    values = np.vstack(large + [small])
    centres = KMeans(n_clusters=6, n_init=4, random_state=0).fit(values).cluster_centers_
    stability = bootstrap_stability(values, centres, kmeans_refit, n_bootstraps=5,
                                    sample_size=2000)
    assert stability.ari > 0.9
    halves = np.linalg.norm(centres - (40, 40), axis=1) < 6
    assert halves.sum() == 2
    assert stability.segment_jaccard[~halves].min() > 0.85
    assert stability.min_segment_jaccard < 0.75


def test_clusters_cut_out_of_noise_are_not(blobs):
    """Uniform noise split into 6 is far less stable than 4 real blobs."""
    noise = np.random.default_rng(0).uniform(size=(3000, 3))
    centres = KMeans(n_clusters=6, n_init=1, random_state=0).fit(noise).cluster_centers_
    noisy = bootstrap_stability(noise, centres, kmeans_refit, n_bootstraps=5,
                                sample_size=1000).ari
    real_centres = KMeans(n_clusters=4, n_init=4, random_state=0).fit(blobs).cluster_centers_
    real = bootstrap_stability(blobs, real_centres, kmeans_refit, n_bootstraps=5,
                               sample_size=1000).ari
    assert noisy < real - 0.1


def test_ward_refit_finds_the_blobs(blobs):
    centres = ward_refit(blobs, 4, seed=0, n_microclusters=100)
    assert centres.shape == (4, 3)
    stability = bootstrap_stability(blobs, centres, lambda v, k, s: ward_refit(v, k, s, 100),
                                    n_bootstraps=3, sample_size=1000)
    assert stability.ari > 0.9 and stability.min_segment_jaccard > 0.9


def test_cluster_stability_one_row_per_method_and_deterministic(blobs):
    centres = KMeans(n_clusters=4, n_init=4, random_state=0).fit(blobs).cluster_centers_
    centroids = pd.concat([centroids_frame("kmeans", centres),
                           centroids_frame("hierarchical", centres)])
    result = cluster_stability(table_of(blobs), centroids, n_bootstraps=3, sample_size=800,
                               n_microclusters=100)
    assert result["method"].tolist() == ["hierarchical"] * 4 + ["kmeans"] * 4
    assert result["cluster_index"].tolist() == [1, 2, 3, 4] * 2
    assert (result["k"] == 4).all() and (result["bootstrap_size"] == 800).all()
    assert result["segment_jaccard"].between(0.9, 1.0).all()
    least = result.groupby("method")["segment_jaccard"].min()
    assert (least == result.groupby("method")["min_segment_jaccard"].first()).all()
    assert result["stability_ari"].between(0.9, 1.0).all()
    assert result["min_segment_jaccard"].between(0.9, 1.0).all()
    again = cluster_stability(table_of(blobs), centroids, n_bootstraps=3, sample_size=800,
                              n_microclusters=100)
    pd.testing.assert_frame_equal(result, again)


def test_unknown_method_is_named(blobs):
    centroids = centroids_frame("dbscan", np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no refit known for method 'dbscan'"):
        cluster_stability(table_of(blobs), centroids, n_bootstraps=1)


def test_a_handful_of_customers_gives_no_stability_rather_than_an_error():
    """Bootstrap samples of 3 customers often repeat one row: those are skipped."""
    values = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0]])
    centroids = pd.concat([centroids_frame("kmeans", values[[0, 2]]),
                           centroids_frame("hierarchical", values[[0, 2]])])
    result = cluster_stability(table_of(values), centroids, n_bootstraps=10, sample_size=3)
    assert sorted(result["method"].unique()) == ["hierarchical", "kmeans"]
    assert (result["k"] == 2).all()
    stable = result["stability_ari"].dropna()
    assert ((stable >= -1) & (stable <= 1)).all()


def test_no_refit_possible_gives_nan():
    values = np.array([[0.0, 0.0], [5.0, 5.0]])
    stability = bootstrap_stability(values, values, kmeans_refit, n_bootstraps=5, sample_size=1)
    assert np.isnan(stability.ari) and np.isnan(stability.ari_sd)
    assert np.isnan(stability.min_segment_jaccard)
