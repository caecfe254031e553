"""segmentation.gmm: Gaussian mixtures chosen by BIC, with SQL-ready parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from segmentation.gmm import choose_components, fit_gmm, gmm_models, log_joint
from segmentation.k_selection import knee_point


def blob_table(n: int = 1200, centers: int = 3, random_state: int = 2):
    values, labels = make_blobs(n_samples=n, centers=centers, n_features=3, cluster_std=0.7,
                                random_state=random_state)
    frame = pd.DataFrame(values, columns=["f1", "f2", "f3"])
    frame.insert(0, "customer_id", [f"{i:05d}" for i in range(n)])
    return frame, labels


@pytest.fixture(scope="module")
def models():
    frame, labels = blob_table()
    return frame, labels, gmm_models(frame, k_min=2, k_max=6)


def test_bic_chooses_the_planted_number_of_components(models):
    _, _, result = models
    per_k = result.drop_duplicates("k").set_index("k")
    assert per_k["is_chosen"].sum() == 1
    assert per_k.index[per_k["is_chosen"]].tolist() == [3]
    assert per_k.loc[3, "bic"] == per_k["bic"].min()
    assert per_k.loc[3, "selection_rule"] == "lowest BIC over k = 2..6"


def test_one_row_per_component_largest_first(models):
    _, _, result = models
    for k, group in result.groupby("k"):
        assert group["component_index"].tolist() == list(range(1, k + 1))
        assert group["component_size"].is_monotonic_decreasing
        assert group["weight"].sum() == pytest.approx(1.0)


def test_stored_parameters_reproduce_scikit_learn(models):
    """log p(x, c) from the stored numbers (the SQL formula) equals the fitted
    model's, so scoring in SQL gives the same components and probabilities."""
    frame, labels, result = models
    values = frame[["f1", "f2", "f3"]].to_numpy()
    chosen = result[result["is_chosen"]].sort_values("component_index")
    joint = log_joint(values, chosen, ["f1", "f2", "f3"])
    model = fit_gmm(values, 3, random_state=42)
    expected = model._estimate_weighted_log_prob(values)
    # Same components, possibly in another order: match them by mean.
    order = [int(np.argmin(((model.means_ - row[["f1", "f2", "f3"]].to_numpy(float)) ** 2)
                           .sum(axis=1))) for _, row in chosen.iterrows()]
    np.testing.assert_allclose(joint, expected[:, order], rtol=1e-9, atol=1e-9)
    assert adjusted_rand_score(labels, joint.argmax(axis=1)) > 0.95


def test_forced_components_and_sampling():
    frame, _ = blob_table(n=3000)
    result = gmm_models(frame, k_min=2, k_max=4, n_components=4, sample_size=1000)
    per_k = result.drop_duplicates("k")
    assert per_k.loc[per_k["is_chosen"], "k"].tolist() == [4]
    assert (per_k["fit_customers"] == 1000).all()
    again = gmm_models(frame.sample(frac=1.0, random_state=3), k_min=2, k_max=4,
                       n_components=4, sample_size=1000)
    pd.testing.assert_frame_equal(result, again)


def test_bic_still_falling_at_the_largest_k_takes_the_knee():
    ks = np.arange(2, 11)
    bics = np.array([330, 263, 141, 110, 105, 74, 76, 29, 11], float) * 100
    k, rule = choose_components(ks, bics, None)
    assert k == knee_point(ks, bics)
    assert rule.startswith("knee of the BIC curve over k = 2..10")
    assert choose_components(ks, bics[::-1].copy(), None) == (2, "lowest BIC over k = 2..10")
    assert choose_components(ks, bics, 6) == (6, "var n_clusters = 6")


def test_em_started_from_kmeans_centroids_reaches_the_planted_mixture():
    """Started from the KMeans solution at each k, EM still finds the planted
    components (and the same optimum as scikit-learn's own start); a KMeans
    group too small for a covariance falls back to that start."""
    from segmentation.kmeans import kmeans_models

    frame, labels = blob_table()
    kmeans = kmeans_models(frame, k_min=2, k_max=6)
    started = gmm_models(frame, k_min=2, k_max=6, kmeans_centroids=kmeans)
    per_k = started.drop_duplicates("k").set_index("k")
    assert per_k.index[per_k["is_chosen"]].tolist() == [3]
    chosen = started[started["is_chosen"]].sort_values("component_index")
    values = frame[["f1", "f2", "f3"]].to_numpy()
    assert adjusted_rand_score(labels, log_joint(values, chosen, ["f1", "f2", "f3"])
                               .argmax(axis=1)) > 0.95
    default_start = gmm_models(frame, k_min=2, k_max=6)
    assert per_k.loc[3, "log_likelihood"] == pytest.approx(
        default_start.drop_duplicates("k").set_index("k").loc[3, "log_likelihood"], rel=1e-6)

    # A centroid far from every row leaves its group empty: default start.
    lonely = kmeans[kmeans["k"] == 3].copy()
    lonely.loc[lonely.index[0], ["f1", "f2", "f3"]] = 1e6
    fallback = gmm_models(frame, k_min=3, k_max=3, kmeans_centroids=lonely)
    assert fallback["log_likelihood"].iloc[0] == pytest.approx(
        per_k.loc[3, "log_likelihood"], rel=1e-6)


def test_kmeans_start_precisions_are_exactly_symmetric():
    """scikit-learn checks a start's precisions for exact symmetry; inv()
    alone is symmetric only up to rounding, which stopped the fit on some data."""
    from segmentation.gmm import _start_from_centroids

    rng = np.random.default_rng(3)
    shares = rng.dirichlet(np.ones(6), size=600)
    values = np.column_stack([(shares - shares.mean(0)) / shares.std(0),
                              rng.normal(0, [1, 2, 3, 4, 5], size=(600, 5))])
    values = np.column_stack([values, 2 * values[:, -1]])
    weights, means, precisions = _start_from_centroids(values, values[:3] + 0.01)
    assert (precisions == precisions.transpose(0, 2, 1)).all()
    model = fit_gmm(values, 3, random_state=0, centroids=values[:3] + 0.01)
    assert model.converged_
