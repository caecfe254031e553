"""One way into Python for whatever `dbt.ref()` returns.

dbt's Python models receive the engine's own object for a table: a DuckDB
relation on dbt-duckdb, a pyspark DataFrame on Databricks (dbt-spark,
dbt-databricks), a Snowpark DataFrame on Snowflake. The fits need the same thing
from each: the rows in a fixed order (fits are reproducible only on ordered
input), as Arrow or pandas, read once. Every Python model reads its inputs
through `to_arrow` or `to_pandas`, so moving the project to another engine
changes this module, not the models.

The fit inputs are bounded samples (var fit_sample_size), so collecting them
into the driver is by design.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa


def _engine(relation: object) -> str:
    module = type(relation).__module__
    for prefix, engine in (("duckdb", "duckdb"), ("pyspark", "spark"),
                           ("snowflake.snowpark", "snowpark")):
        if module.startswith(prefix):
            return engine
    if isinstance(relation, pa.Table):
        return "arrow"
    if isinstance(relation, pd.DataFrame):
        return "pandas"
    raise TypeError(
        f"cannot read a {type(relation).__module__}.{type(relation).__name__}: dbt.ref() "
        "returns a DuckDB relation, a pyspark or a Snowpark DataFrame")


def _duckdb_ordered(relation, order_by: Sequence[str]):
    if not order_by:
        return relation
    quoted = ", ".join('"' + column.replace('"', '""') + '"' for column in order_by)
    return relation.order(quoted)


def to_arrow(relation: object, order_by: Sequence[str] = ()) -> pa.Table:
    """The rows of `relation` as an Arrow table, sorted by the `order_by` columns."""
    engine = _engine(relation)
    if engine == "duckdb":
        return _duckdb_ordered(relation, order_by).to_arrow_table()
    if engine == "arrow":
        return relation.sort_by([(c, "ascending") for c in order_by]) if order_by else relation
    frame = to_pandas(relation, order_by)
    return pa.Table.from_pandas(frame, preserve_index=False)


def to_pandas(relation: object, order_by: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of `relation` as a pandas DataFrame, sorted by the `order_by` columns."""
    engine = _engine(relation)
    if engine == "duckdb":
        return _duckdb_ordered(relation, order_by).df()
    if engine == "spark":
        ordered = relation.orderBy(*order_by) if order_by else relation
        return ordered.toPandas()
    if engine == "snowpark":
        ordered = relation.sort(*order_by) if order_by else relation
        return ordered.to_pandas()
    if engine == "arrow":
        return to_arrow(relation, order_by).to_pandas()
    frame = relation.sort_values(list(order_by), kind="stable") if order_by else relation
    return frame.reset_index(drop=True)
