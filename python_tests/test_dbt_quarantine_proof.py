"""int_orders_with_issues skips its pass over the order lines only when counts prove it may.

The proof (macro orders_proven_clean): every orders row read was accepted into
the per-customer metrics and none had a value set aside, both counted in this
invocation. These tests check each half of it and that a partial rebuild never
trusts counts left by an earlier build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from dbt_runner import DbtBuild, run_dbt_build

SKIPPED_PASS = "where 1 = 0"


def compiled_issues_sql(build: DbtBuild) -> str:
    path = (build.work_dir / "target" / "run" / "customer_segmentation" / "models"
            / "intermediate" / "cleaning" / "int_orders_with_issues.sql")
    return path.read_text()


def orders_reconciliation(build: DbtBuild) -> dict:
    return build.table("input_reconciliation").set_index("source").loc["orders"].to_dict()


def test_clean_input_needs_no_second_pass(build_demo_a):
    assert build_demo_a.succeeded, build_demo_a.describe()
    assert SKIPPED_PASS in compiled_issues_sql(build_demo_a)
    row = orders_reconciliation(build_demo_a)
    assert row["rows_read"] == row["rows_accepted"] > 0
    assert row["rows_quarantined"] == row["rows_with_quarantined_values"] == 0


def test_rejected_rows_make_the_pass_run(build_dirty):
    assert build_dirty.succeeded, build_dirty.describe()
    assert SKIPPED_PASS not in compiled_issues_sql(build_dirty)
    assert orders_reconciliation(build_dirty)["rows_quarantined"] > 0


def test_set_aside_values_make_the_pass_run(build_set_aside_quantities):
    """Every row accepted (read = accepted), yet three quantities must be listed."""
    build = build_set_aside_quantities
    assert build.succeeded, build.describe()
    assert SKIPPED_PASS not in compiled_issues_sql(build)
    row = orders_reconciliation(build)
    assert row["rows_read"] == row["rows_accepted"] == build.info["orders"].num_rows
    assert row["rows_quarantined"] == 0
    assert row["rows_with_quarantined_values"] == len(build.info["set_aside"])
    values = build.query(
        "select source_row_number, column_name, raw_value from quarantined_values "
        "where source = 'orders' order by source_row_number")
    assert list(values.itertuples(index=False, name=None)) == [
        (row_number, "quantity", raw) for row_number, raw in build.info["set_aside"].items()]


def test_partial_rebuild_never_trusts_earlier_counts(build_demo_a, tmp_path: Path):
    """Rebuilding only int_orders_with_issues after the input gained an orphan line.

    The counts in the file are the earlier build's and still agree with each
    other (read = accepted); trusting them would hide the new line.
    """
    assert build_demo_a.succeeded, build_demo_a.describe()
    db_path = tmp_path / "seg.duckdb"
    shutil.copyfile(build_demo_a.db_path, db_path)
    with duckdb.connect(str(db_path)) as con:
        con.execute("insert into demo_orders (order_id, customer_id, order_date, amount) "
                    "values ('ORPHAN-1', 'no-such-customer', '2025-01-02', '12.50')")
    rebuild = run_dbt_build(tmp_path, {}, db_path=db_path, select="int_orders_with_issues")
    assert rebuild.succeeded, rebuild.describe()
    assert SKIPPED_PASS not in compiled_issues_sql(rebuild)
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select raw_order_id, rejection_reason from int_orders_with_issues").fetchall()
    assert rows == [("ORPHAN-1", "unknown customer_id")]
