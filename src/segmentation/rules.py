"""Short human-readable rules that describe segments (surrogate decision trees).

A segment is found by distances in a scaled, transformed space, which a
marketer cannot read. For each segment a shallow decision tree is fitted on
the features in business units to tell its customers from everyone else, and
the tree's best leaf for the segment becomes the rule, e.g.
``recency_days <= 30 and frequency >= 12``: the customers it selects are
mostly in the segment (precision) and most of the segment is selected
(coverage).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.tree import DecisionTreeClassifier

from segmentation.matrix import ID_COLUMN

SEGMENT_COLUMN = "segment_id"


def segment_rules(
    table: pa.Table | pd.DataFrame,
    *,
    max_depth: int = 3,
    min_leaf_share: float = 0.005,
    random_state: int = 42,
) -> pd.DataFrame:
    """One rule per segment from a one-vs-rest surrogate tree.

    Parameters
    ----------
    table : Arrow table or DataFrame
        ``customer_id``, ``segment_id`` and one numeric column per feature in
        business units (nulls allowed: such customers never satisfy a
        condition on that feature, so the rule does not claim them).
    max_depth : int
        At most this many conditions per rule.
    min_leaf_share : float
        A leaf must hold at least this share of the customers (and 5), so a
        rule never describes a handful of outliers.

    Returns
    -------
    DataFrame, one row per segment: ``segment_id``, ``rule`` (text),
    ``rule_conditions`` (JSON list of {feature, operator, threshold}),
    ``conditions``, ``precision`` (share of customers matching the rule that
    are in the segment), ``coverage`` (share of the segment matching the
    rule), ``matched_customers``, ``segment_customers``, ``fit_customers``.
    Both shares are measured on the rows given.
    """
    frame = table.to_pandas() if isinstance(table, pa.Table) else table.copy()
    for column in (ID_COLUMN, SEGMENT_COLUMN):
        if column not in frame.columns:
            raise ValueError(f"the rules table has no '{column}' column")
    if frame.empty:
        raise ValueError("the rules table has no rows")
    frame = frame.sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)
    features = [c for c in frame.columns if c not in (ID_COLUMN, SEGMENT_COLUMN)]
    if not features:
        raise ValueError("the rules table has no feature columns")
    values = frame[features].to_numpy(dtype=np.float64, na_value=np.nan)
    # Trees need numbers: a missing value becomes a value below every real
    # one, and conditions are then checked against the real (nullable) data.
    filled = np.where(np.isnan(values), np.nanmin(values, axis=0, initial=0.0) - 1.0, values)
    is_integer = [_is_integer_valued(values[:, j]) for j in range(len(features))]
    segments = frame[SEGMENT_COLUMN].to_numpy()
    min_leaf = max(5, math.ceil(min_leaf_share * len(frame)))

    rows = []
    for segment in sorted(np.unique(segments)):
        target = segments == segment
        tree = DecisionTreeClassifier(
            max_depth=max_depth, min_samples_leaf=min_leaf, random_state=random_state
        ).fit(filled, target)
        conditions = _best_leaf_conditions(tree, filled, target, features, is_integer)
        matched = _matches(values, features, conditions)
        true_positive = int((matched & target).sum())
        rows.append({
            SEGMENT_COLUMN: segment,
            "rule": _rule_text(conditions),
            "rule_conditions": json.dumps(conditions),
            "conditions": len(conditions),
            "precision": true_positive / matched.sum() if matched.any() else 0.0,
            "coverage": true_positive / target.sum(),
            "matched_customers": int(matched.sum()),
            "segment_customers": int(target.sum()),
            "fit_customers": len(frame),
        })
    return pd.DataFrame(rows)


def _is_integer_valued(column: np.ndarray) -> bool:
    present = column[~np.isnan(column)]
    return present.size > 0 and bool(np.all(present == np.round(present)))


def _best_leaf_conditions(
    tree: DecisionTreeClassifier,
    values: np.ndarray,
    target: np.ndarray,
    features: list[str],
    is_integer: list[bool],
) -> list[dict]:
    """Conditions on the path to the leaf with the best F1 for the segment."""
    structure = tree.tree_
    leaves = tree.apply(values)
    best, best_score = 0, -1.0
    for leaf in np.unique(leaves):
        in_leaf = leaves == leaf
        true_positive = (in_leaf & target).sum()
        if true_positive == 0:
            continue
        precision = true_positive / in_leaf.sum()
        coverage = true_positive / target.sum()
        score = 2 * precision * coverage / (precision + coverage)
        if score > best_score + 1e-12:
            best, best_score = int(leaf), score
    # Walk from the root to the chosen leaf, tightening bounds per feature.
    parent = {}
    for node in range(structure.node_count):
        for child, side in ((structure.children_left[node], "<="),
                            (structure.children_right[node], ">")):
            if child != -1:
                parent[child] = (node, side)
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    node = best
    while node in parent:
        node, side = parent[node]
        feature, threshold = int(structure.feature[node]), float(structure.threshold[node])
        if side == "<=":
            upper[feature] = min(upper.get(feature, math.inf), threshold)
        else:
            lower[feature] = max(lower.get(feature, -math.inf), threshold)
    conditions = []
    for feature in sorted(set(lower) | set(upper), key=lambda f: features[f]):
        if feature in lower:
            conditions.append(_condition(features[feature], ">", lower[feature],
                                         is_integer[feature]))
        if feature in upper:
            conditions.append(_condition(features[feature], "<=", upper[feature],
                                         is_integer[feature]))
    return conditions


def _condition(feature: str, operator: str, threshold: float, integer: bool) -> dict:
    """Tree thresholds fall midway between values: say them as people would."""
    if integer:
        if operator == ">":
            return {"feature": feature, "operator": ">=", "threshold": math.floor(threshold) + 1}
        return {"feature": feature, "operator": "<=", "threshold": math.floor(threshold)}
    return {"feature": feature, "operator": operator, "threshold": float(f"{threshold:.4g}")}


def _matches(values: np.ndarray, features: list[str], conditions: list[dict]) -> np.ndarray:
    matched = np.ones(values.shape[0], dtype=bool)
    for condition in conditions:
        column = values[:, features.index(condition["feature"])]
        with np.errstate(invalid="ignore"):
            if condition["operator"] == "<=":
                matched &= column <= condition["threshold"]
            elif condition["operator"] == ">=":
                matched &= column >= condition["threshold"]
            else:
                matched &= column > condition["threshold"]
    return matched


def _rule_text(conditions: list[dict]) -> str:
    if not conditions:
        return "all customers"
    parts = []
    for condition in conditions:
        threshold = condition["threshold"]
        shown = f"{threshold:g}" if isinstance(threshold, float) else str(threshold)
        parts.append(f"{condition['feature']} {condition['operator']} {shown}")
    return " and ".join(parts)
