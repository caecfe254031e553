"""segmentation.rules: surrogate-tree rules that describe segments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from segmentation.rules import segment_rules


def grid_customers(n_per_group: int = 200, random_state: int = 0) -> pd.DataFrame:
    """Four groups split cleanly on income (float) and orders (integer)."""
    rng = np.random.default_rng(random_state)
    groups = np.repeat(np.arange(4), n_per_group)
    income = np.where(groups % 2 == 0, rng.uniform(20, 44, groups.size),
                      rng.uniform(80, 140, groups.size)).round(1)
    orders = np.where(groups < 2, rng.integers(1, 5, groups.size),
                      rng.integers(12, 30, groups.size))
    noise = rng.normal(size=groups.size)
    frame = pd.DataFrame({
        "customer_id": [f"{i:05d}" for i in range(groups.size)],
        "segment_id": groups + 1,
        "annual_income": income,
        "frequency": orders,
        "noise": noise,
    })
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_rules_recover_clean_splits():
    rules = segment_rules(grid_customers()).set_index("segment_id")
    assert list(rules.index) == [1, 2, 3, 4]
    # A greedy tree may cut a few edge customers; the rules stay near perfect.
    assert (rules["precision"] >= 0.99).all() and (rules["coverage"] >= 0.99).all()
    # The noise feature never appears; each rule uses both real features.
    for rule in rules["rule"]:
        assert "noise" not in rule
        assert "annual_income" in rule and "frequency" in rule


def test_integer_features_get_integer_thresholds():
    rules = segment_rules(grid_customers()).set_index("segment_id")
    conditions = json.loads(rules.loc[3, "rule_conditions"])  # many orders, low income
    by_feature = {c["feature"]: c for c in conditions}
    assert by_feature["frequency"]["operator"] == ">="
    assert isinstance(by_feature["frequency"]["threshold"], int)
    assert 5 <= by_feature["frequency"]["threshold"] <= 12
    assert by_feature["annual_income"]["operator"] == "<="
    assert 43 <= by_feature["annual_income"]["threshold"] <= 81
    assert rules.loc[3, "rule"] == (
        f"annual_income <= {by_feature['annual_income']['threshold']:g} and "
        f"frequency >= {by_feature['frequency']['threshold']}")


def test_precision_and_coverage_are_what_the_rule_selects():
    frame = grid_customers()
    # Blur the split: a tenth of group 1 moves into group 2's income range.
    blurred = frame.index[(frame["segment_id"] == 1)][:20]
    frame.loc[blurred, "annual_income"] = 100.0
    rules = segment_rules(frame).set_index("segment_id")
    for segment, row in rules.iterrows():
        conditions = json.loads(row["rule_conditions"])
        selected = np.ones(len(frame), dtype=bool)
        for c in conditions:
            column = frame[c["feature"]]
            selected &= {"<=": column <= c["threshold"], ">=": column >= c["threshold"],
                         ">": column > c["threshold"]}[c["operator"]]
        in_segment = frame["segment_id"] == segment
        assert row["matched_customers"] == selected.sum()
        assert row["precision"] == pytest.approx((selected & in_segment).sum() / selected.sum())
        assert row["coverage"] == pytest.approx((selected & in_segment).sum() / in_segment.sum())
    assert rules.loc[1, "coverage"] == pytest.approx(0.9)


def test_rules_are_deterministic_and_order_free():
    frame = grid_customers()
    again = segment_rules(frame.sample(frac=1.0, random_state=7))
    pd.testing.assert_frame_equal(segment_rules(frame), again)


def test_missing_values_never_satisfy_a_condition():
    frame = grid_customers()
    frame.loc[frame.index[:30], "annual_income"] = np.nan
    rules = segment_rules(frame)
    assert rules["rule"].str.len().gt(0).all()
    assert rules["precision"].between(0, 1).all() and rules["coverage"].between(0, 1).all()
    missing_ids = set(frame.loc[frame.index[:30], "customer_id"])
    for row in rules.itertuples():
        if "annual_income" in row.rule:
            # Customers without income are never counted as matched.
            assert row.matched_customers <= len(frame) - len(missing_ids)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="no 'segment_id' column"):
        segment_rules(pd.DataFrame({"customer_id": ["a"], "x": [1.0]}))
    with pytest.raises(ValueError, match="no feature columns"):
        segment_rules(pd.DataFrame({"customer_id": ["a"], "segment_id": [1]}))
