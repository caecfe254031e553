"""Turning the model-matrix table that dbt hands over into NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

ID_COLUMN = "customer_id"


@dataclass(frozen=True)
class FeatureMatrix:
    """Customers as rows, standardized model inputs as columns.

    Attributes
    ----------
    ids : ndarray of str, shape (n_customers,)
        Customer ids, sorted, so a fit never depends on the order rows arrived in.
    values : ndarray of float64, shape (n_customers, n_features)
    feature_names : list of str, length n_features
    """

    ids: np.ndarray
    values: np.ndarray
    feature_names: list[str]

    @property
    def n_customers(self) -> int:
        return self.values.shape[0]


def to_feature_matrix(table: pa.Table | pd.DataFrame, id_column: str = ID_COLUMN) -> FeatureMatrix:
    """Split a table of ``id_column`` plus numeric feature columns into arrays.

    Rows are sorted by id (DuckDB's scan and group-by order is not stable) and
    every other column is a feature. Raises ``ValueError`` naming the column
    when a feature holds nulls or non-finite values, or when the table is empty.
    """
    frame = table.to_pandas() if isinstance(table, pa.Table) else table
    if id_column not in frame.columns:
        raise ValueError(f"the feature table has no '{id_column}' column")
    feature_names = [column for column in frame.columns if column != id_column]
    if not feature_names:
        raise ValueError("the feature table has no feature columns")
    if frame.empty:
        raise ValueError("the feature table has no rows: there are no customers to segment")
    frame = frame.sort_values(id_column, kind="stable")
    values = frame[feature_names].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"feature '{feature_names[column]}' is null or not finite for customer "
            f"'{frame[id_column].iloc[row]}' ({int(bad[:, column].sum())} customers in all)"
        )
    ids = frame[id_column].astype(str).to_numpy()
    return FeatureMatrix(ids=ids, values=values, feature_names=feature_names)
