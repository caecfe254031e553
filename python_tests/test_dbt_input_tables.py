"""Tables in the warehouse as input (var input_schema): the same segments as the
same data in files, lineage from a declared source, and clear refusals."""

from __future__ import annotations

import duckdb
import pytest

from dbt_runner import DbtBuild, run_dbt_build
from test_dbt_bad_input import assert_fails_cleanly

SEGMENTS = ("select customer_id, segment_id, segment_name, recency_days, frequency, monetary "
            "from dim_customer_segments order by customer_id")


def _same_marts(tables: DbtBuild, files: DbtBuild) -> None:
    assert tables.succeeded, tables.describe()
    assert files.succeeded, files.describe()
    assert tables.query(SEGMENTS).equals(files.query(SEGMENTS))
    profiles = "select * exclude (segment_stability) from segment_profiles order by segment_id"
    assert tables.query(profiles).equals(files.query(profiles))


def test_a_shop_in_tables_gets_the_segments_of_the_same_shop_in_files(
        build_realistic_shop_tables, build_realistic_shop):
    _same_marts(build_realistic_shop_tables, build_realistic_shop)
    build = build_realistic_shop_tables
    # Typed columns (DATE, DOUBLE, BIGINT) are read as the text of a file would be.
    types = dict(build.query("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'crm' and table_name = 'order_lines'")
                 .itertuples(index=False))
    assert types["order_date"] == "DATE" and types["amount"] == "DOUBLE"
    # Every message and record names the table, and the log says what was read.
    reconciliation = build.query("select source, source_file, rows_read from "
                                 "input_reconciliation order by source")
    assert list(reconciliation.source_file) == ["crm.customer_master", "crm.order_lines"]
    assert build.query("select input_source from segmentation_runs").input_source.tolist() == [
        "table crm.customer_master"]
    assert "Reading customers from table crm.customer_master (6,000 rows)" in build.output
    assert "Reading orders from table crm.order_lines (" in build.output


def test_staging_reads_the_declared_source(build_realistic_shop_tables):
    """Lineage starts at source segmentation_input: the compiled staging SQL reads
    the table the vars name through it."""
    compiled = next(build_realistic_shop_tables.work_dir.glob(
        "target/compiled/*/models/staging/stg_input__orders.sql")).read_text()
    assert '"crm"."order_lines"' in compiled
    assert "row_number() over (order by" in compiled


def test_customers_only_table_with_headers_that_need_quotes(build_planted_customers_table,
                                                             build_planted_customers):
    """No orders table: customers only, as without an orders file; column names such
    as "Annual Income (k$)" are mapped as in a file."""
    _same_marts(build_planted_customers_table, build_planted_customers)
    assert "No table crm.orders (var input_orders_table): reading customers only" in \
        build_planted_customers_table.output


@pytest.fixture(scope="module")
def crm_database(tmp_path_factory):
    """A DuckDB file with schema crm holding a customers table and nothing else."""
    work_dir = tmp_path_factory.mktemp("crm")
    db_path = work_dir / "seg.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema crm")
        con.execute("create table crm.customers as select 'C' || range as customer_id, "
                    "range % 90 as age from range(50)")
    return db_path


def _refused(tmp_path, crm_database, dbt_vars: dict) -> DbtBuild:
    db_path = tmp_path / "seg.duckdb"
    db_path.write_bytes(crm_database.read_bytes())
    return run_dbt_build(tmp_path, dbt_vars, db_path=db_path)


def test_a_missing_table_is_named_with_the_vars_that_name_it(tmp_path, crm_database):
    build = _refused(tmp_path, crm_database, {"input_schema": "crm",
                                               "input_customers_table": "customer_master"})
    assert_fails_cleanly(build, "No table or view crm.customer_master for the customers",
                         "vars input_schema, input_customers_table")


def test_files_and_tables_together_are_refused(tmp_path, crm_database):
    build = _refused(tmp_path, crm_database, {"input_schema": "crm",
                                               "input_dir": str(tmp_path)})
    assert_fails_cleanly(build, "var input_dir (files) and var input_schema (tables) are both set")


@pytest.mark.parametrize("name", ["crm; drop table crm.customers", 'crm"', "o'brien", "2024"])
def test_a_table_var_that_is_not_a_plain_name_never_reaches_sql(tmp_path, crm_database, name):
    build = _refused(tmp_path, crm_database, {"input_schema": name})
    assert_fails_cleanly(build, "var input_schema", "must be a plain name")
    with duckdb.connect(str(tmp_path / "seg.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from crm.customers").fetchone()[0] == 50


def test_models_of_the_project_as_input_give_the_segments_of_the_same_data(tmp_path):
    """var input_customers_model names a model or seed of the project dbt runs in (a
    host project, when this one is a package; here the demo seeds themselves): the
    segments of the demo, read through ref()."""
    demo = run_dbt_build(tmp_path / "demo", {})
    models = run_dbt_build(tmp_path / "models", {"input_customers_model": "demo_customers",
                                                 "input_orders_model": "demo_orders"})
    _same_marts(models, demo)
    assert models.query("select input_source from segmentation_runs").input_source.tolist() == [
        "model demo_customers"]


def test_an_input_model_that_does_not_exist_is_named(tmp_path, crm_database):
    """The staging models ref() the named model, so dbt itself stops while parsing,
    naming the model that was not found."""
    build = _refused(tmp_path, crm_database, {"input_customers_model": "crm_customers"})
    assert_fails_cleanly(build, "stg_input__customers", "depends on a node named 'crm_customers'",
                         "which was not found")


def test_an_orders_model_needs_a_customers_model(tmp_path, crm_database):
    build = _refused(tmp_path, crm_database, {"input_orders_model": "demo_orders"})
    assert_fails_cleanly(build, "var input_orders_model is set but var input_customers_model "
                         "is not")


def test_two_inputs_at_once_are_refused(tmp_path, crm_database):
    build = _refused(tmp_path, crm_database, {"input_schema": "crm",
                                               "input_customers_model": "demo_customers"})
    assert_fails_cleanly(build, "var input_schema (tables) and var input_customers_model "
                         "(models) are both set")
