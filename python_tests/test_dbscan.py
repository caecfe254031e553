"""segmentation.dbscan: density clusters on a sample, noise, and the SQL assignment rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from segmentation.dbscan import NOISE, assign, dbscan_model, eps_from_knee, k_distances


def blobs_with_outliers(n: int = 3000, outliers: int = 60, random_state: int = 4):
    values, labels = make_blobs(n_samples=n, centers=[[0, 0, 0], [8, 0, 0], [0, 8, 0]],
                                cluster_std=0.8, random_state=random_state)
    rng = np.random.default_rng(random_state)
    far = rng.uniform(-30, 30, size=(outliers, 3))
    far = far[np.abs(far).max(axis=1) > 15]
    values = np.vstack([values, far])
    labels = np.concatenate([labels + 1, np.full(len(far), NOISE)])
    frame = pd.DataFrame(values, columns=["f1", "f2", "f3"])
    frame.insert(0, "customer_id", [f"{i:05d}" for i in range(len(values))])
    return frame, labels


def representatives_of(model: pd.DataFrame):
    return [(int(r.cluster_index), float(r.radius), np.array([r.f1, r.f2, r.f3]))
            for r in model.itertuples()]


@pytest.fixture(scope="module")
def fitted():
    frame, labels = blobs_with_outliers()
    return frame, labels, dbscan_model(frame, sample_size=1500, n_representatives=24)


def test_finds_the_planted_clusters_and_calls_the_outliers_noise(fitted):
    frame, labels, model = fitted
    assert model["k"].iloc[0] == 3
    assert model["eps_rule"].iloc[0] == "knee of the sorted 6-distance curve"
    assert model["min_samples"].iloc[0] == 6  # twice the 3 features
    scored = assign(frame[["f1", "f2", "f3"]].to_numpy(), representatives_of(model),
                    model["eps"].iloc[0])
    assert adjusted_rand_score(labels, scored) > 0.95
    # Every planted outlier is noise; almost no blob member is.
    assert (scored[labels == NOISE] == NOISE).all()
    assert (scored[labels != NOISE] == NOISE).mean() < 0.02


def test_representatives_cover_each_cluster_in_proportion(fitted):
    _, _, model = fitted
    per_cluster = model.groupby("cluster_index")["representative_index"].count()
    assert per_cluster.sum() == pytest.approx(24, abs=2)
    assert (per_cluster >= 6).all()  # three equal blobs share 24
    assert model["representative_index"].tolist() == list(range(1, len(model) + 1))
    assert (model["radius"] > 0).all()
    assert model.groupby("cluster_index").size().index.tolist() == [1, 2, 3]


def test_sql_rule_agrees_with_exact_dbscan_on_held_out_rows(fitted):
    _, _, model = fitted
    assert model["assignment_agreement"].iloc[0] >= 0.97
    assert model["fit_customers"].iloc[0] == 1500
    assert 0 < model["noise_share"].iloc[0] < 0.1
    assert model["silhouette"].iloc[0] > 0.5


def test_labels_match_scikit_learn_on_the_sample():
    """Without sampling, the clusters are scikit-learn's DBSCAN at the same eps
    (up to numbering), and the result does not depend on row order."""
    frame, _ = blobs_with_outliers(n=900, outliers=30)
    model = dbscan_model(frame, sample_size=10_000)
    values = frame[["f1", "f2", "f3"]].to_numpy()
    reference = DBSCAN(eps=model["eps"].iloc[0], min_samples=6).fit(values)
    core = np.zeros(len(values), bool)
    core[reference.core_sample_indices_] = True
    ours = assign(values, representatives_of(model), model["eps"].iloc[0])
    # On core rows DBSCAN's clusters are unambiguous: the rule must reproduce them.
    assert adjusted_rand_score(reference.labels_[core], ours[core]) == pytest.approx(1.0)
    shuffled = dbscan_model(frame.sample(frac=1.0, random_state=1), sample_size=10_000)
    pd.testing.assert_frame_equal(model, shuffled)


def test_eps_is_the_knee_of_the_k_distance_curve():
    curve = np.concatenate([np.linspace(0.1, 0.5, 95), [1.0, 2.0, 4.0, 8.0, 16.0]])
    eps = eps_from_knee(curve)
    assert 0.45 <= eps <= 1.0
    assert eps_from_knee(np.linspace(1, 2, 10)) == pytest.approx(1.5)  # no bend: the median
    # Mostly identical rows: eps is the smallest real distance, not 0.
    assert eps_from_knee(np.array([0.0] * 90 + [0.5, 0.7, 3.0])) == pytest.approx(0.5)
    values = np.array([[0.0], [1.0], [3.0]])
    assert k_distances(values, 2).tolist() == [1.0, 1.0, 2.0]


def test_forced_eps_without_any_dense_region_gives_no_cluster():
    frame, _ = blobs_with_outliers(n=300, outliers=0)
    model = dbscan_model(frame, eps=1e-6, min_samples=5)
    assert len(model) == 1 and model["cluster_index"].iloc[0] == NOISE
    assert model["k"].iloc[0] == 0 and model["noise_share"].iloc[0] == 1.0
    assert model["eps_rule"].iloc[0] == "var dbscan_eps"
    with pytest.raises(ValueError, match="min_samples"):
        dbscan_model(frame, min_samples=1)
    with pytest.raises(ValueError, match="eps"):
        dbscan_model(frame, eps=0.0)


def test_a_wide_ball_does_not_claim_a_tight_cluster_it_overlaps():
    """A long thin cluster gets a wide representative ball that covers a tight
    blob; the blob's rows still go to the blob (nearest centre in reach), as
    DBSCAN has it."""
    rng = np.random.default_rng(0)
    blob = rng.normal(0, 0.5, size=(2000, 2))
    line = np.column_stack([np.linspace(-6, 6, 120), np.full(120, 2.5)])
    values = np.vstack([blob, line])
    frame = pd.DataFrame(values, columns=["f1", "f2"])
    frame.insert(0, "customer_id", [f"{i:05d}" for i in range(len(values))])
    reference = DBSCAN(eps=0.35, min_samples=4).fit(values)
    core = np.zeros(len(values), bool)
    core[reference.core_sample_indices_] = True

    def core_agreement(n_representatives: int) -> float:
        model = dbscan_model(frame, eps=0.35, min_samples=4, sample_size=10_000,
                             n_representatives=n_representatives)
        representatives = [(int(r.cluster_index), float(r.radius), np.array([r.f1, r.f2]))
                           for r in model.itertuples()]
        ours = assign(values, representatives, 0.35)
        return adjusted_rand_score(reference.labels_[core], ours[core])

    # With the default 16 representatives, exact; with one ball for the whole
    # line only the blob's edge nearest the line's centre goes astray (the
    # smallest-gap rule this replaced put the whole blob in the line: ARI 0).
    assert core_agreement(16) == pytest.approx(1.0)
    assert core_agreement(2) > 0.9
