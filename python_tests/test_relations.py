"""segmentation.relations: whatever dbt.ref() returns, read once, in a fixed order.

The pyspark tests use a real local SparkSession (pip install -e ".[spark]" and a
Java runtime; CI installs both and sets SEGMENTATION_REQUIRE_SPARK=1, so they
fail there instead of skipping)."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from segmentation.relations import model_result, to_arrow, to_pandas

ROWS = [("C3", 3.5, "b"), ("C1", 1.25, "a"), ("C2", None, "a")]
ORDERED_IDS = ["C1", "C2", "C3"]


@pytest.fixture
def duckdb_relation():
    con = duckdb.connect()
    con.execute('create table sample (customer_id varchar, "spend (k$)" double, tier varchar)')
    con.executemany("insert into sample values (?, ?, ?)", ROWS)
    yield con.table("sample")
    con.close()


def test_a_duckdb_relation_is_read_in_order(duckdb_relation):
    table = to_arrow(duckdb_relation, ["customer_id"])
    assert table.column("customer_id").to_pylist() == ORDERED_IDS
    assert table.schema.field("spend (k$)").type == pa.float64()
    frame = to_pandas(duckdb_relation, ["tier", "customer_id"])
    assert list(frame.customer_id) == ["C1", "C2", "C3"]
    # A column name that needs quotes orders too.
    assert to_pandas(duckdb_relation, ["spend (k$)"]).customer_id.iloc[0] == "C1"


def test_arrow_and_pandas_pass_through_sorted():
    frame = pd.DataFrame(ROWS, columns=["customer_id", "spend", "tier"])
    assert list(to_pandas(frame, ["customer_id"]).customer_id) == ORDERED_IDS
    assert to_pandas(frame, ["customer_id"]).index.tolist() == [0, 1, 2]
    table = pa.Table.from_pandas(frame)
    assert to_arrow(table, ["customer_id"]).column("customer_id").to_pylist() == ORDERED_IDS


def test_anything_else_is_a_clear_error():
    with pytest.raises(TypeError, match="dbt.ref\\(\\) returns a DuckDB relation, a pyspark"):
        to_arrow([1, 2, 3])


@pytest.fixture(scope="module")
def spark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("SEGMENTATION_REQUIRE_SPARK") == "1":
            pytest.fail("pyspark is missing: pip install -e '.[spark]'")
        pytest.skip("pyspark is not installed (pip install -e '.[spark]')")
    if shutil.which("java") is None:
        if os.environ.get("SEGMENTATION_REQUIRE_SPARK") == "1":
            pytest.fail("no Java runtime (Debian: apt-get install openjdk-17-jre-headless)")
        pytest.skip("no Java runtime for Spark")
    session = (SparkSession.builder.master("local[1]").appName("segmentation-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1").getOrCreate())
    yield session
    session.stop()


def test_a_spark_dataframe_is_read_in_order_as_duckdb_reads_the_same_rows(
        spark, duckdb_relation):
    frame = spark.createDataFrame(ROWS, "customer_id string, `spend (k$)` double, tier string")
    from_spark = to_arrow(frame, ["customer_id"])
    from_duckdb = to_arrow(duckdb_relation, ["customer_id"])
    assert from_spark.column_names == from_duckdb.column_names
    assert from_spark.to_pylist() == from_duckdb.to_pylist()
    assert list(to_pandas(frame, ["tier", "customer_id"]).customer_id) == ["C1", "C2", "C3"]


def test_a_fit_runs_on_a_spark_dataframe_as_on_duckdb(spark):
    """The KMeans sweep of a Python model, fed through the helper from Spark and
    from DuckDB, gives the same models."""
    from segmentation.demo.planted import generate_planted_customers
    from segmentation.fit import kmeans_models

    customers, _ = generate_planted_customers(60, 3, random_state=3)
    sample = pa.table({"customer_id": customers["customer_id"],
                       "annual_income": pc_standardize(customers["annual_income"]),
                       "spending_score": pc_standardize(customers["spending_score"])})
    frame = sample.to_pandas()
    con = duckdb.connect()
    con.register("sample", frame)
    kwargs = dict(k_min=2, k_max=5, n_clusters=None, random_state=42,
                  silhouette_sample_size=1000, n_bootstraps=2, bootstrap_size=100)
    from_duckdb = kmeans_models(to_arrow(con.table("sample"), ["customer_id"]), **kwargs)
    from_spark = kmeans_models(
        to_arrow(spark.createDataFrame(frame.sample(frac=1, random_state=1)), ["customer_id"]),
        **kwargs)
    pd.testing.assert_frame_equal(from_spark, from_duckdb)


def test_a_model_result_is_left_as_it_is_for_duckdb():
    frame = pd.DataFrame({"a": [1, 2]})
    con = duckdb.connect()
    assert model_result(frame, con) is frame
    table = pa.table({"a": [1]})
    assert model_result(table, con) is table


def test_a_model_result_keeps_its_types_on_spark(spark):
    """pandas' nullable dtypes and all-null typed columns (a first run's
    previous_segment_name) become the Spark types their Arrow types name;
    dbt-spark's own conversion made one of them a struct."""
    frame = pd.DataFrame({
        "cluster_id": pd.array([1, 2], dtype="int32"),
        "previous_segment_id": pd.array([None, 4], dtype="Int32"),
        "previous_segment_name": pd.array([None, None], dtype="string"),
        "match_distance": pd.array([None, 0.5], dtype="Float64"),
        "status": ["first_run", "new"],
        "share": [0.25, float("nan")],
        "is_chosen": [True, False],
    })
    result = model_result(frame, spark)
    assert [(f.name, f.dataType.simpleString()) for f in result.schema.fields] == [
        ("cluster_id", "int"), ("previous_segment_id", "int"),
        ("previous_segment_name", "string"), ("match_distance", "double"),
        ("status", "string"), ("share", "double"), ("is_chosen", "boolean")]
    rows = [row.asDict() for row in result.orderBy("cluster_id").collect()]
    assert rows[0]["previous_segment_id"] is None and rows[1]["previous_segment_id"] == 4
    assert rows[0]["previous_segment_name"] is None and rows[1]["match_distance"] == 0.5
    assert rows[1]["status"] == "new" and rows[0]["share"] == 0.25
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "false"

    with pytest.raises(TypeError, match="column\\(s\\) nothing of the model's result are all null"):
        model_result(pd.DataFrame({"nothing": [None, None]}), spark)


def pc_standardize(column: pa.ChunkedArray) -> list[float]:
    values = pd.Series(column.to_pylist(), dtype="float64")
    return ((values - values.mean()) / values.std()).tolist()
