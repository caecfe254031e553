"""Installed as a dbt package: integration_tests/ is a company's own dbt project
that adds this one in packages.yml, points the package's vars at its own models
and builds. Every customer comes out once, with its id as the host wrote it, and
the lineage runs from the host's models into the package's staging."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from dbt_runner import BUILD_TIMEOUT_SECONDS, PROJECT_DIR, dbt_executable

HOST_DIR = PROJECT_DIR / "integration_tests"


def _dbt(*args: str, work_dir: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [dbt_executable(), *args], cwd=HOST_DIR, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS)


@pytest.fixture(scope="module")
def host_build(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("host")
    env = {**os.environ, "DBT_PROFILES_DIR": str(HOST_DIR),
           "SEGMENTATION_HOST_DUCKDB_PATH": str(work_dir / "host.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
    env.pop("SEGMENTATION_DUCKDB_PATH", None)
    deps = _dbt("deps", work_dir=work_dir, env=env)
    assert deps.returncode == 0, deps.stdout + deps.stderr
    paths = ["--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
             "--vars", json.dumps({"export_dir": str(work_dir / "exports")})]
    first = _dbt("build", *paths, work_dir=work_dir, env=env)
    # A second build: the host's models exist now, so the package checks their
    # columns before any model runs, and the run of the same date is replaced.
    second = _dbt("build", *paths, work_dir=work_dir, env=env)
    return {"work_dir": work_dir, "db": work_dir / "host.duckdb", "first": first,
            "second": second}


def _query(host_build, sql: str):
    with duckdb.connect(str(host_build["db"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_host_project_builds_the_marts_from_its_own_models(host_build):
    for name in ("first", "second"):
        done = host_build[name]
        assert done.returncode == 0, done.stdout[-5000:] + done.stderr
        assert "ERROR=0" in done.stdout
    first, second = host_build["first"].stdout, host_build["second"].stdout
    assert "Reading customers from model host_customers, which this build makes first" in first
    assert "Reading customers from model host_customers (800 rows as last built" in second
    assert _query(host_build, "select input_source, run_mode from segmentation_runs") == [
        ("model host_customers", "fit")]
    assert (host_build["work_dir"] / "exports" / "manifest.json").exists()


def test_every_host_customer_appears_once_with_its_id_as_given(host_build):
    with open(HOST_DIR / "seeds" / "crm_customer_export.csv", newline="") as seed:
        given = sorted(row["customer_id"] for row in csv.DictReader(seed))
    assert given[0] == "000001"  # leading zeros: an id is text
    segmented = [row[0] for row in _query(
        host_build, "select customer_id from dim_customer_segments order by customer_id")]
    assert segmented == given


def test_lineage_runs_from_the_host_models_into_the_package(host_build):
    manifest = json.loads((host_build["work_dir"] / "target" / "manifest.json").read_text())
    depends = {name: manifest["nodes"][f"model.customer_segmentation.{name}"]["depends_on"]["nodes"]
               for name in ("stg_input__customers", "stg_input__orders")}
    assert "model.segmentation_host.host_customers" in depends["stg_input__customers"]
    assert "model.segmentation_host.host_orders" in depends["stg_input__orders"]
    # No warning about a package depending on the root project by an unqualified ref.
    assert "require_ref_searches_node_package_before_root" not in host_build["first"].stdout
