"""The semantic layer (models/semantic): `mf validate-configs` passes and `mf query`
answers from a finished build with the marts' numbers.

Uses the dirty-export build (cases.messy_input.case_dirty): it is segmented as of
AS_OF_DATE while its orders run to the end of 2025, so the metrics must keep to
the as_of_date window, and its refunds and messy lines test the money rules.

`mf` reads ``<project>/target/semantic_manifest.json`` (the path is fixed) and
runs ``dbt debug``, which opens the DuckDB file for writing. So the module works
on its own copy of the build's file (other tests read the original) and in its
own project folder: a folder holding only a link to dbt_project.yml and a
target/ that `dbt parse --target-path` fills. The file keeps the name seg.duckdb,
since dbt-duckdb names the database after it and the manifest records that name.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cases.messy_input import AS_OF_DATE
from dbt_runner import HANG_GUARD_SECONDS, PROJECT_DIR, DbtBuild, dbt_executable, executable

MF_TIMEOUT_SECONDS = HANG_GUARD_SECONDS


@dataclass
class SemanticProject:
    """A project folder `mf` can run in, over a private copy of a build's file."""

    project_dir: Path
    db_path: Path
    env: dict

    def mf(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [executable("mf"), *args], cwd=self.project_dir, env=self.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=MF_TIMEOUT_SECONDS,
        )

    def query(self, metrics: list[str], group_by: list[str]) -> pd.DataFrame:
        """`mf query` written as CSV (full precision) and read back."""
        out = self.project_dir / "query.csv"
        done = self.mf("query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by),
                       "--csv", str(out), "--quiet")
        assert done.returncode == 0, done.stdout + done.stderr
        return pd.read_csv(io.StringIO(out.read_text()))

    def sql(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql).df()


@pytest.fixture(scope="module")
def build(build_dirty) -> DbtBuild:
    assert build_dirty.succeeded, build_dirty.describe()
    return build_dirty


@pytest.fixture(scope="module")
def semantic(build, tmp_path_factory) -> SemanticProject:
    root = tmp_path_factory.mktemp("semantic_layer")
    db_path = root / "seg.duckdb"
    shutil.copyfile(build.db_path, db_path)
    project_dir = root / "project"
    (project_dir / "target").mkdir(parents=True)
    (project_dir / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    env = {
        **os.environ,
        "SEGMENTATION_DUCKDB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }
    env.pop("DBT_PROJECT_DIR", None)
    parse = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(PROJECT_DIR),
         "--target-path", str(project_dir / "target"), "--log-path", str(root / "logs"),
         "--vars", json.dumps(build.vars)],
        cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=MF_TIMEOUT_SECONDS,
    )
    assert parse.returncode == 0, parse.stdout + parse.stderr
    assert (project_dir / "target" / "semantic_manifest.json").exists()
    return SemanticProject(project_dir=project_dir, db_path=db_path, env=env)


@pytest.fixture(scope="module")
def profiles(semantic) -> pd.DataFrame:
    return semantic.sql("select * from segment_profiles").set_index("segment_name")


def test_mf_validate_configs_passes_against_the_warehouse(semantic):
    done = semantic.mf("validate-configs")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Semantics, then each check against the DuckDB file: all without errors.
    assert output.count("Successfully validated") == 6, output


def test_mf_query_by_segment_equals_segment_profiles(semantic, profiles):
    by_segment = semantic.query(
        ["revenue", "customers", "revenue_share", "average_order_value"],
        ["customer__segment_name"],
    ).set_index("customer__segment_name")

    assert sorted(by_segment.index) == sorted(profiles.index)
    joined = profiles.join(by_segment.add_suffix("_mf")).fillna(
        {"revenue_mf": 0.0, "revenue_share_mf": 0.0})
    assert (joined["customers_mf"] == joined["customers"]).all()
    # segment_profiles sums customers' revenue rounded to cents; mf sums orders.
    cents = 0.005 * joined["customers"] + 0.01
    revenue = joined[["revenue", "revenue_mf"]]
    assert ((revenue["revenue_mf"] - revenue["revenue"]).abs() <= cents).all(), revenue
    share = joined[["revenue_share", "revenue_share_mf"]]
    assert ((share["revenue_share_mf"] - share["revenue_share"]).abs() <= 1e-5).all(), share

    # Average order value: gross purchase revenue per purchase order.
    aov = semantic.sql("""
        select segment_name, sum(gross_revenue) / nullif(sum(frequency), 0) as aov
        from dim_customer_segments group by segment_name
    """).set_index("segment_name")["aov"]
    compared = pd.concat([aov, by_segment["average_order_value"]], axis=1).dropna(how="all")
    assert compared.notna().all(axis=None), compared
    assert ((compared["aov"] - compared["average_order_value"]).abs()
            <= 1e-4 * compared["aov"] + 0.01).all(), compared


def test_mf_query_by_month_keeps_to_the_as_of_date_window(semantic, profiles):
    by_month = semantic.query(["revenue", "gross_revenue", "orders"], ["metric_time__month"])
    by_month.index = pd.to_datetime(by_month.pop("metric_time__month"))
    by_month = by_month.sort_index()

    # The build's orders run to 2025-12-31; the segmentation stops at AS_OF_DATE.
    assert by_month.index.max() == pd.Timestamp(AS_OF_DATE).replace(day=1)

    # The order fact's key (declared, not a data test: docs in its YAML).
    keys = semantic.sql("select count(*) as n, count(distinct (customer_id, order_id)) as k, "
                        "count(customer_id) as c, count(order_id) as o from fct_segment_orders")
    assert keys.n.iloc[0] == keys.k.iloc[0] == keys.c.iloc[0] == keys.o.iloc[0] > 0

    # The same orders counted straight from the accepted lines in SQL.
    expected = semantic.sql(f"""
        with orders as (
            select
                customer_id, order_id,
                min(order_date) as order_date,
                max(case when is_purchase_line then 1 else 0 end) as is_purchase_order,
                sum(case when is_purchase_line then amount else 0 end) as gross_revenue
            from int_order_lines_cleaned
            where order_date <= date '{AS_OF_DATE}'
            group by customer_id, order_id
        )
        select
            cast(date_trunc('month', order_date) as date) as month,
            sum(gross_revenue) as gross_revenue,
            sum(is_purchase_order) as orders
        from orders
        group by 1
    """).set_index("month").sort_index()
    expected.index = pd.to_datetime(expected.index)
    assert list(by_month.index) == list(expected.index)
    assert (by_month["orders"].fillna(0) == expected["orders"]).all()
    assert ((by_month["gross_revenue"] - expected["gross_revenue"]).abs() <= 1e-6).all()

    # Over all months, net revenue is every segment's revenue.
    total = profiles["revenue"].sum()
    assert abs(by_month["revenue"].sum() - total) <= 0.005 * profiles["customers"].sum() + 0.01


def test_segmentation_mf_switches_between_files_in_one_step(build, tmp_path):
    """`segmentation mf --db FILE` answers for FILE whichever file the manifest was
    written for: here two files (one named with an apostrophe and a space) in turn,
    from a project root whose target/ holds no manifest at first."""
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    for entry in PROJECT_DIR.iterdir():
        if entry.name not in {"target", "logs", ".venv", ".git", "exports"} \
                and not entry.name.endswith((".duckdb", ".wal")):
            (project_dir / entry.name).symlink_to(entry)
    files = [tmp_path / "o'brien shop.duckdb", tmp_path / "seg.duckdb"]
    for path in files:
        shutil.copyfile(build.db_path, path)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
    env.pop("SEGMENTATION_DUCKDB_PATH", None)
    env.pop("DBT_PROJECT_DIR", None)
    expected = None
    for path in [*files, files[0]]:
        out = tmp_path / "revenue.csv"
        done = subprocess.run(
            [executable("segmentation"), "mf", "--db", str(path), "query", "--metrics", "revenue",
             "--group-by", "customer__segment_name", "--csv", str(out), "--quiet"],
            cwd=project_dir, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=MF_TIMEOUT_SECONDS,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        semantic_revenue = pd.read_csv(out).set_index("customer__segment_name")["revenue"]
        with duckdb.connect(str(path), read_only=True) as con:
            name = con.execute("select current_database()").fetchone()[0]
        manifest = json.loads((project_dir / "target" / "semantic_manifest.json").read_text())
        assert {m["node_relation"]["database"] for m in manifest["semantic_models"]} == {name}
        if expected is None:
            expected = semantic_revenue
        assert semantic_revenue.sort_index().equals(expected.sort_index())
    # A file that does not exist is named, not a MetricFlow stack trace.
    missing = subprocess.run(
        [executable("segmentation"), "mf", "--db", str(tmp_path / "nothing.duckdb"), "list",
         "metrics"], cwd=project_dir, env=env, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=MF_TIMEOUT_SECONDS)
    assert missing.returncode == 2
    assert "no DuckDB file" in missing.stderr and "nothing.duckdb" in missing.stderr
