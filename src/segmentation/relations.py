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


def distinct_rows(relation: object, columns: Sequence[str]) -> pd.DataFrame:
    """The distinct values of `columns` in `relation`, sorted by them, as pandas.

    Computed by the engine, so only the distinct rows reach Python: scoring
    that depends on a few columns runs once per distinct combination, and a
    warehouse never collects every customer into the driver."""
    columns = list(columns)
    engine = _engine(relation)
    if engine == "duckdb":
        quoted = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
        return relation.select(quoted).distinct().order(quoted).df()
    if engine == "spark":
        return relation.select(*columns).distinct().orderBy(*columns).toPandas()
    if engine == "snowpark":
        return relation.select(*columns).distinct().sort(*columns).to_pandas()
    frame = to_pandas(relation)[columns].drop_duplicates()
    return frame.sort_values(columns, kind="stable").reset_index(drop=True)


def model_result(result: pd.DataFrame | pa.Table, session: object):
    """What a Python model returns, in the form its engine writes with exact types.

    dbt-duckdb (and Snowpark) write pandas and Arrow results as they are. dbt-spark's
    writer goes through pandas-on-Spark, which turns pandas' nullable dtypes (string,
    Int32, Float64) into structs and cannot type an all-null column; on Spark the
    result becomes a Spark DataFrame with the Spark types of its Arrow schema.
    """
    if not type(session).__module__.startswith("pyspark"):
        return result
    from pyspark.sql.pandas.types import from_arrow_schema

    table = result if isinstance(result, pa.Table) else pa.Table.from_pandas(
        result, preserve_index=False)
    untyped = [field.name for field in table.schema if pa.types.is_null(field.type)]
    if untyped:
        raise TypeError(f"column(s) {', '.join(untyped)} of the model's result are all null "
                        "without a type: give them one (pandas: pd.array(..., dtype=...))")
    key = "spark.sql.execution.arrow.pyspark.enabled"
    before = session.conf.get(key, "false")
    session.conf.set(key, "true")
    try:
        return session.createDataFrame(table.to_pandas(), schema=from_arrow_schema(table.schema))
    finally:
        session.conf.set(key, before)
