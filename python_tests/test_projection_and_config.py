"""segmentation.projection.pca_loadings and segmentation.dbt_config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from segmentation.dbt_config import optional_int, required_int
from segmentation.projection import pca_loadings

COLUMNS = ["feature_name", "feature_mean", "pc1_loading", "pc2_loading",
           "pc1_explained_variance_ratio", "pc2_explained_variance_ratio"]


def features(n_features: int, n_rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n_rows, 1))
    values = base * np.linspace(3, 1, n_features) + rng.normal(size=(n_rows, n_features))
    frame = pd.DataFrame(values, columns=[f"x{i}" for i in range(n_features)])
    frame.insert(0, "customer_id", [f"{i:06d}" for i in range(n_rows)])
    return frame


@pytest.mark.parametrize("n_features", [2, 3, 7])
def test_one_row_per_feature(n_features):
    frame = features(n_features)
    loadings = pca_loadings(frame)
    assert loadings.columns.tolist() == COLUMNS
    assert loadings["feature_name"].tolist() == [f"x{i}" for i in range(n_features)]
    np.testing.assert_allclose(loadings["feature_mean"], frame.iloc[:, 1:].mean(), atol=1e-12)
    ratios = loadings[["pc1_explained_variance_ratio", "pc2_explained_variance_ratio"]]
    assert (ratios.nunique() == 1).all()  # repeated on every row
    pc1, pc2 = ratios.iloc[0]
    assert 0 <= pc2 <= pc1 and pc1 + pc2 <= 1 + 1e-12
    # Orthonormal components.
    components = loadings[["pc1_loading", "pc2_loading"]].to_numpy()
    np.testing.assert_allclose(components.T @ components, np.eye(2), atol=1e-10)


def test_projection_reproduces_sklearn_scores():
    from sklearn.decomposition import PCA

    frame = features(4)
    loadings = pca_loadings(frame)
    x = frame.iloc[:, 1:].to_numpy()
    sql_like = (x - loadings["feature_mean"].to_numpy()) @ loadings[
        ["pc1_loading", "pc2_loading"]].to_numpy()
    expected = PCA(2, svd_solver="full").fit_transform(x)
    np.testing.assert_allclose(np.abs(sql_like), np.abs(expected), atol=1e-9)


def test_two_features_explain_everything():
    loadings = pca_loadings(features(2))
    total = (loadings["pc1_explained_variance_ratio"] + loadings["pc2_explained_variance_ratio"])
    np.testing.assert_allclose(total, 1.0)


def test_single_feature():
    frame = features(1)
    loadings = pca_loadings(pa.Table.from_pandas(frame, preserve_index=False))
    assert len(loadings) == 1
    row = loadings.iloc[0]
    assert abs(row["pc1_loading"]) == pytest.approx(1.0)
    assert row["pc2_loading"] == 0.0
    assert row["pc1_explained_variance_ratio"] == pytest.approx(1.0)
    assert row["pc2_explained_variance_ratio"] == 0.0


def test_deterministic_and_order_free():
    frame = features(5)
    first = pca_loadings(frame)
    pd.testing.assert_frame_equal(pca_loadings(frame.sample(frac=1.0, random_state=2)), first,
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(pca_loadings(frame), first, check_exact=True)


def test_pca_rejects_bad_values():
    frame = features(3)
    frame.loc[3, "x1"] = np.nan
    with pytest.raises(ValueError, match="feature 'x1'"):
        pca_loadings(frame)


@pytest.mark.parametrize("value, expected", [
    ("None", None), ("none", None), ("null", None), ("", None), ("  ", None), (None, None),
    ("5", 5), (" 7 ", 7), ("5.0", 5), (5, 5), (3.0, 3),
])
def test_optional_int(value, expected):
    assert optional_int(value) == expected


def test_optional_int_rejects_text():
    with pytest.raises(ValueError):
        optional_int("five")


def test_required_int():
    assert required_int("42", "random_seed") == 42
    with pytest.raises(ValueError, match="setting 'k_min' is required"):
        required_int("None", "k_min")
