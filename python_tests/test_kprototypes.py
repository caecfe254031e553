"""segmentation.kprototypes: mixed numeric and categorical clustering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from segmentation.kprototypes import _distances, kprototypes


def mixed_customers(n_per_group: int = 150, random_state: int = 0):
    """Three groups: two share a numeric centre and differ only by country."""
    rng = np.random.default_rng(random_state)
    groups = np.repeat([0, 1, 2], n_per_group)
    centre = np.where(groups == 2, 3.0, 0.0)
    frame = pd.DataFrame({
        "customer_id": [f"{i:05d}" for i in range(groups.size)],
        "country": np.where(groups == 0, "DE", np.where(groups == 1, "FR", "UK")),
        "gender": rng.choice(["female", "male"], groups.size),
        "f1": rng.normal(centre, 0.4),
        "f2": rng.normal(centre, 0.4),
    })
    return frame, groups


def assign(frame: pd.DataFrame, prototypes: pd.DataFrame, categorical: list[str]) -> np.ndarray:
    numeric = [c for c in frame.columns if c not in ["customer_id", *categorical]]
    codes = {c: {level: i for i, level in enumerate(sorted(
        set(frame[c]) | set(prototypes[c])))} for c in categorical}
    cat = np.column_stack([frame[c].map(codes[c]) for c in categorical])
    modes = np.column_stack([prototypes[c].map(codes[c]) for c in categorical])
    distances = _distances(frame[numeric].to_numpy(), cat, prototypes[numeric].to_numpy(),
                           modes, float(prototypes["gamma"].iloc[0]))
    return distances.argmin(axis=1)


def test_categories_separate_groups_numbers_cannot():
    frame, groups = mixed_customers()
    frame = frame.drop(columns="gender")  # a balanced random category would tie with country
    prototypes = kprototypes(frame, ["country"], n_clusters=3)
    assert sorted(prototypes["country"]) == ["DE", "FR", "UK"]
    labels = assign(frame, prototypes, ["country"])
    assert adjusted_rand_score(groups, labels) == pytest.approx(1.0)
    assert prototypes["cluster_size"].tolist() == sorted(prototypes["cluster_size"],
                                                         reverse=True)
    assert prototypes["cluster_index"].tolist() == [1, 2, 3]


def test_missing_categories_are_a_level_and_fit_is_deterministic():
    frame, _ = mixed_customers()
    frame.loc[:40, "country"] = None
    first = kprototypes(frame, ["country", "gender"], n_clusters=3, random_state=3)
    again = kprototypes(frame.sample(frac=1.0, random_state=9), ["country", "gender"],
                        n_clusters=3, random_state=3)
    pd.testing.assert_frame_equal(first, again)
    assert "__missing__" in set(first["country"]) or first["cluster_size"].sum() == len(frame)


def test_bad_input_is_named():
    frame, _ = mixed_customers(n_per_group=2)
    with pytest.raises(ValueError, match="not in the table: channel"):
        kprototypes(frame, ["channel"], n_clusters=2)
    with pytest.raises(ValueError, match="only 6 customers for 7 prototypes"):
        kprototypes(frame, ["country", "gender"], n_clusters=7)
    with pytest.raises(ValueError, match="column 'gender' is not numeric"):
        kprototypes(frame, ["country"], n_clusters=2)
