"""The whole build on Spark equals the build on DuckDB.

The same shop, as tables, built end to end on local Spark (dbt-spark, method
session: the Python models fit in the driver, dbt_segmentation_spark) and on
DuckDB, twice as a company runs it: a fit build, then a later day's build in
score mode, which adds a run to the history. After each, every table both
engines built is compared row by row: the same columns and types, the same
rows, every customer in the same segment under the same name.

The stated tolerance (docs/engines.md): the public marts have the same column
types (outside them an integer may be int on Spark and bigint on DuckDB);
texts, ids, dates, counts and flags
are equal; a number is equal to 1e-4 relative, or, where it was rounded to n
decimals, within one unit of the n-th decimal (a value exactly halfway, 29.225,
rounds to 29.23 on DuckDB, which rounds the scaled double, and to 29.22 on
Spark, which rounds the double's exact decimal value). Only the build's own
ids and clock, and the engine's own names of tables, differ (EXCLUDED).

Needs pip install -e ".[spark]" and a Java runtime; CI installs both and sets
SEGMENTATION_REQUIRE_SPARK=1 so this fails there instead of skipping.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dbt_runner import BUILD_TIMEOUT_SECONDS, PROJECT_DIR, dbt_executable, run_dbt_build
from segmentation.demo.files import write_table
from segmentation.demo.realistic_shop import generate_realistic_shop

# Columns that name the build itself (its invocation id and its clock), the
# engine's own name of a table ("seg"."main"."x" on DuckDB, segmentation.x on
# Spark), or the engine's own hash function (order keys and line fingerprints:
# xxhash64 on Spark; the rows they key are compared through every other column).
# The order state's as_of_window is the date a row was computed under: DuckDB
# keeps it between builds (an order no moved date crosses is not regrouped),
# Spark rebuilds the table every run.
EXCLUDED = {
    "segmentation_runs": {"invocation_id", "built_at"},
    "ml_fit_run": {"fit_invocation_id"},
    "bi_public_marts": {"invocation_id", "relation_name"},
    "int_customer_order_state": {"order_key", "line_fingerprint", "as_of_window"},
    "int_customer_orders": {"order_key"},
}
# Public marts (contracts) and seeds: the same types. Internal tables: the same
# types except the width of an integer (Spark's row_number and datediff are int).
PUBLIC = {path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("*.sql")}


def _require_spark() -> None:
    missing = [name for name in ("pyspark", "dbt.adapters.spark")
               if importlib.util.find_spec(name.split(".")[0]) is None
               or (name == "dbt.adapters.spark" and importlib.util.find_spec(name) is None)]
    if shutil.which("java") is None:
        missing.append("a Java runtime (Debian: openjdk-17-jre-headless)")
    if missing:
        message = f"missing for Spark: {', '.join(missing)} (pip install -e '.[spark]')"
        if os.environ.get("SEGMENTATION_REQUIRE_SPARK") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _spark_build(root: Path, warehouse: Path, vars_: str, name: str,
                 extra_args: tuple[str, ...]) -> str:
    env = {**os.environ, "SEGMENTATION_SPARK_WAREHOUSE": str(warehouse),
           "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_USE_COLORS": "false"}
    build = subprocess.run(
        [dbt_executable(), "build", "--target", "spark", "--vars", vars_, *extra_args,
         "--target-path", str(root / "spark_target"), "--log-path", str(root / "spark_logs")],
        cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=BUILD_TIMEOUT_SECONDS)
    assert build.returncode == 0, f"{name}:\n{build.stdout[-8000:]}"
    return build.stdout


def _spark_tables(helper: str, warehouse: Path, out: Path) -> Path:
    out.mkdir()
    dump = subprocess.run([sys.executable, helper, "dump", str(warehouse), str(out)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS)
    assert dump.returncode == 0, dump.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    _require_spark()
    root = tmp_path_factory.mktemp("spark_build")
    shop = root / "shop"
    shop.mkdir()
    customers, orders = generate_realistic_shop(1500, random_state=23)
    write_table(customers, shop / "customers.csv", file_format="csv")
    write_table(orders, shop / "orders.csv", file_format="csv")
    later = (pd.to_datetime(orders["order_date"]).max() + timedelta(days=30)).date().isoformat()
    runs = {"fit": "{input_schema: crm, export_dir: null}",
            "score": f"{{input_schema: crm, export_dir: null, mode: score, as_of_date: '{later}'}}"}

    helper = str(Path(__file__).with_name("spark_tables.py"))
    warehouse = root / "warehouse"
    loaded = subprocess.run([sys.executable, helper, "load", str(warehouse), str(shop)],
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS)
    assert loaded.returncode == 0, loaded.stderr[-3000:]

    duck_dir = root / "duckdb"
    duck_dir.mkdir()
    with duckdb.connect(str(duck_dir / "seg.duckdb")) as con:
        con.execute("create schema crm")
        for name in ("customers", "orders"):
            con.execute(f"create table crm.{name} as select * from read_csv(?, all_varchar = true)",
                        [str(shop / f"{name}.csv")])
    result = {}
    for run, vars_ in runs.items():
        # A score build runs everything but the fit (selectors.yml).
        extra_args = ("--selector", "score") if run == "score" else ()
        output = _spark_build(root, warehouse, vars_, run, extra_args)
        spark_tables = _spark_tables(helper, warehouse, root / f"spark_{run}")
        duck = run_dbt_build(duck_dir, {"input_schema": "crm", "export_dir": None,
                                        **({"mode": "score", "as_of_date": later}
                                           if run == "score" else {})},
                             extra_args=extra_args)
        assert duck.succeeded, duck.describe()
        duck_tables = {table: duck.query(f"select * from main.{table}")
                       for table in _duckdb_tables(duck_dir / "seg.duckdb")}
        types = _duckdb_types(duck_dir / "seg.duckdb")
        result[run] = {"spark": spark_tables, "duckdb": duck_tables, "types": types,
                       "spark_output": output}
    return result


def _duckdb_tables(path: Path) -> list[str]:
    """The tables and views of the build."""
    with duckdb.connect(str(path), read_only=True) as con:
        return [row[0] for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' union all "
            "select view_name from duckdb_views() where schema_name = 'main' and not internal"
        ).fetchall()]


def _duckdb_types(path: Path) -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in _duckdb_tables(path):
            schema = con.sql(f"select * from main.{table} limit 0").to_arrow_table().schema
            types[table] = {field.name: str(field.type) for field in schema}
    return types


def _same_type(arrow_type: str, table: str) -> str:
    """The type as compared: string and large_string are one, so are timestamp
    units, and outside the public marts integers of any width."""
    if arrow_type == "large_string" or arrow_type.startswith("timestamp"):
        return arrow_type.split("[")[0].replace("large_", "")
    if table not in PUBLIC and arrow_type in {"int16", "int32", "int64"}:
        return "integer"
    return arrow_type


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _numbers_agree(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Equal to 1e-4 relative, or within one unit of a rounded value's last decimal."""
    left, right = left.astype(float).to_numpy(), right.astype(float).to_numpy()
    close = np.isclose(left, right, rtol=1e-4, atol=1e-9, equal_nan=True)
    for i in np.flatnonzero(~close):
        if np.isnan(left[i]) or np.isnan(right[i]):
            continue
        digits = max(_decimals(left[i]), _decimals(right[i]))
        close[i] = digits <= 6 and abs(left[i] - right[i]) <= 10.0 ** -digits * (1 + 1e-9)
    return close


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values) \
                or values.isna().all():
            # Dates come back as date objects from Spark, timestamps from DuckDB.
            frame[column] = (values.astype(object).where(values.notna(), "<null>").astype(str)
                             .str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True))
        else:
            frame[column] = values.astype(float)
    # Rounded numbers may differ in the last digit: sort by the exact columns first.
    exact = [c for c in frame.columns if frame[c].dtype != float]
    floats = [c for c in frame.columns if frame[c].dtype == float]
    return frame.sort_values(exact + floats).reset_index(drop=True)


def _compare(engines: dict, table: str) -> None:
    spark_path = engines["spark"] / f"{table}.parquet"
    assert spark_path.exists(), f"{table} was built on DuckDB but not on Spark"
    on_spark = pq.ParquetDataset(spark_path).read().to_pandas()
    spark_types = {field.name: str(field.type) for field in pq.ParquetDataset(spark_path).schema}
    on_duckdb = engines["duckdb"][table]
    assert sorted(on_spark.columns) == sorted(on_duckdb.columns), table
    assert {c: _same_type(t, table) for c, t in spark_types.items()} == \
        {c: _same_type(t, table) for c, t in engines["types"][table].items()}, table
    assert len(on_spark) == len(on_duckdb), table
    columns = [c for c in on_duckdb.columns if c not in EXCLUDED.get(table, set())]
    spark_rows, duckdb_rows = _sorted(on_spark[columns]), _sorted(on_duckdb[columns])
    for column in columns:
        left, right = spark_rows[column], duckdb_rows[column]
        if left.dtype == float and right.dtype == float:
            same = _numbers_agree(left, right)
        else:
            same = (left == right).to_numpy()
        assert same.all(), (table, column, left[~same].head(3).tolist(),
                            right[~same].head(3).tolist())


# DuckDB builds one table more: the publication to files (bi_publications, DuckDB's).
DUCKDB_ONLY = {"bi_publications"}


@pytest.mark.parametrize("run", ["fit", "score"])
def test_spark_builds_every_table_duckdb_builds(both_engines, run):
    engines = both_engines[run]
    spark = {path.stem for path in engines["spark"].glob("*.parquet")}
    assert spark == set(engines["duckdb"]) - DUCKDB_ONLY
    assert len(spark) > 80


@pytest.mark.parametrize("run", ["fit", "score"])
def test_every_customer_is_in_the_same_segment_on_spark_and_duckdb(both_engines, run):
    engines = both_engines[run]
    columns = ["customer_id", "segment_id", "segment_name", "segment_method"]
    on_spark = pq.ParquetDataset(engines["spark"] / "dim_customer_segments.parquet").read(
        columns=columns).to_pandas().sort_values("customer_id").reset_index(drop=True)
    on_duckdb = engines["duckdb"]["dim_customer_segments"][columns].sort_values(
        "customer_id").reset_index(drop=True)
    assert len(on_duckdb) > 1000 and on_duckdb.segment_id.nunique() >= 3
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False)


# Every model and seed of the project (those a default build leaves out are
# skipped; ephemeral models are no table: their rows are compared in the
# tables they are part of).
TABLES = sorted(
    [path.stem for path in (PROJECT_DIR / "models").rglob("*")
     if path.suffix in {".sql", ".py"} and path.stem not in DUCKDB_ONLY
     and "materialized='ephemeral'" not in path.read_text()]
    + [path.stem for path in (PROJECT_DIR / "seeds").rglob("*.csv") if "demo" not in path.parts])


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("run", ["fit", "score"])
def test_every_table_is_the_same_on_spark_and_duckdb(both_engines, run, table):
    engines = both_engines[run]
    if table not in engines["duckdb"]:
        pytest.skip(f"{table} is not built by default (a method not enabled)")
    _compare(engines, table)


def test_the_spark_build_logs_what_it_read(both_engines):
    assert "Reading customers from table crm.customers (1,500 rows)" in \
        both_engines["fit"]["spark_output"]


def test_the_score_build_added_a_run_to_the_history_on_spark(both_engines):
    """The history's incremental strategy on Spark (insert_overwrite of the run's
    partition) keeps the first run and adds the second."""
    history = pq.ParquetDataset(
        both_engines["score"]["spark"] / "customer_segment_history.parquet").read().to_pandas()
    customers = len(both_engines["fit"]["duckdb"]["dim_customer_segments"])
    assert history.groupby("run_id").size().tolist() == [customers, customers]
