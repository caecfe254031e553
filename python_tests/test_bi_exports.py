"""What `dbt build` publishes for BI (model bi_publications, var export_dir).

Read back from the files as a BI tool would, and compared with the marts in
the build's DuckDB file: rows and schema of every format, the serving file in
an old DuckDB, and no publication from a build whose tests failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from build_checks import (
    OLD_DUCKDB_VERSION,
    column_types,
    differing_rows,
    duckdb_file_held_open,
    python_with_packages,
)
from cases.publication import PREVIOUS_PUBLICATION
from dbt_runner import (
    HANG_GUARD_SECONDS,
    PROJECT_DIR,
    DbtBuild,
    copy_project,
    dbt_executable,
    run_dbt_build,
)
from segmentation.publish import HYPER_NAME, SERVING_DB_NAME, read_manifest

# Raw input columns the published quarantine marts may carry (var published_raw_columns).
PUBLISHED_RAW_COLUMNS = {"customer_id", "order_id", "order_date", "status"}

CROSS_SELL_MARTS = {"segment_category_affinity", "customer_next_category"}


def require_success(build: DbtBuild) -> None:
    assert build.succeeded, build.describe()


def marts_under_models_marts() -> set[str]:
    """Every model under models/marts/: its SQL files, and any YAML entry."""
    folder = PROJECT_DIR / "models" / "marts"
    names = {path.stem for path in folder.rglob("*.sql")}
    for path in folder.rglob("*.yml"):
        names |= {model["name"] for model in (yaml.safe_load(path.read_text()) or {})
                  .get("models", [])}
    return names


def published(build: DbtBuild) -> list[str]:
    return list(build.query("select mart_name from main.bi_public_marts")["mart_name"])


# --------------------------------------------------------------------------- what is published


def enabled_models(*dbt_args: str, tmp_path: Path) -> set[str]:
    """Model names `dbt ls` finds enabled in the project, with ``dbt_args``."""
    completed = subprocess.run(
        [dbt_executable(), "ls", "--resource-type", "model",
         "--output", "name", "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), *dbt_args],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, check=True)
    return set(completed.stdout.split())


def test_a_build_with_no_vars_publishes(tmp_path):
    """README command 1 (`dbt build`, no vars) publishes into the default export_dir.

    The project's default is a var, which dbt_project.yml cannot see (it is
    rendered with --vars alone): there, it would leave publishing off.
    """
    assert "bi_publications" in enabled_models(tmp_path=tmp_path)
    assert "bi_publications" not in enabled_models(
        "--vars", "{export_dir: null}", tmp_path=tmp_path)


def test_every_mart_under_models_marts_is_published(build_planted_company, build_demo_a):
    require_success(build_planted_company)
    require_success(build_demo_a)
    everything = marts_under_models_marts()
    unlisted = sorted(everything - set(published(build_planted_company)))
    assert not unlisted, f"list {unlisted} in models/bi/bi_public_marts.sql"
    assert set(published(build_planted_company)) == everything
    assert set(published(build_demo_a)) == everything - CROSS_SELL_MARTS


def test_bi_publications_lists_every_file_of_the_build(build_planted_company):
    require_success(build_planted_company)
    build = build_planted_company
    publications = build.table("bi_publications")
    marts = published(build)
    formats = build.vars["export_formats"]
    assert sorted(zip(publications["mart_name"], publications["export_format"], strict=True)) \
        == sorted((mart, fmt) for mart in marts for fmt in formats)
    invocation = build.query("select any_value(invocation_id) as i from bi_public_marts")["i"][0]
    assert set(publications["invocation_id"]) == {invocation}
    for row in publications.itertuples():
        path = Path(row.file_path)
        assert path.is_file() and path.stat().st_size == row.file_bytes, row
        assert path.parent in (build.export_dir, build.export_dir / row.export_format)
        rows = build.query(f"select count(*) as n from main.{row.mart_name}")["n"][0]
        assert row.row_count == rows, row

    manifest = read_manifest(build.export_dir)
    assert manifest["invocation_id"] == invocation
    assert [mart["name"] for mart in manifest["marts"]] == marts
    assert str(build.query("select max(as_of_date) as d from dim_customer_segments")["d"][0]
               )[:10] == manifest["as_of_date"]
    leftovers = [p.name for p in build.export_dir.parent.iterdir() if "staging" in p.name]
    assert leftovers == []

    # What the build made, as the publication recorded it: every model.
    counts = {name: rows for name, rows in build.query(
        "select model_name, row_count from bi_model_row_counts").itertuples(index=False)}
    recorded = {model["name"]: model["rows"] for model in manifest["build_models"]}
    assert recorded.keys() == counts.keys()
    assert recorded["dim_customer_segments"] == build.query(
        "select count(*) as n from dim_customer_segments")["n"][0]
    assert recorded["stg_input__orders"] is None  # a view: bound, not read again


def test_parquet_csv_and_duckdb_exports_read_back_equal_to_what_is_published(
        build_planted_company):
    require_success(build_planted_company)
    build = build_planted_company
    exports = build.export_dir
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        con.execute(f"attach '{exports / SERVING_DB_NAME}' as serving (read_only)")
        relations = dict(con.execute(
            "select mart_name, relation_name from main.bi_public_marts").fetchall())
        for mart in published(build):
            relation = relations[mart]  # the mart, or what of it may leave (the quarantine)
            types = column_types(con, relation)
            csv = (f"read_csv('{exports / 'csv' / f'{mart}.csv'}', header = true, "
                   "allow_quoted_nulls = false, columns = {"
                   + ", ".join(f"'{c}': '{t}'" for c, t in types) + "})")
            for copy in (f"read_parquet('{exports / 'parquet' / f'{mart}.parquet'}')", csv,
                         f"serving.main.{mart}"):
                assert column_types(con, copy) == types, (mart, copy)
                assert differing_rows(con, relation, copy) == 0, (mart, copy)
                assert (con.execute(f"select count(*) from {copy}").fetchall()
                        == con.execute(f"select count(*) from {relation}").fetchall()), mart


def test_the_hyper_extract_reads_back_equal_to_the_marts(build_planted_company):
    pantab = pytest.importorskip("pantab")
    require_success(build_planted_company)
    build = build_planted_company
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        for mart in published(build):
            expected = con.sql(f"select * from main.{mart}").to_arrow_table()
            actual = pantab.frame_from_hyper(build.export_dir / HYPER_NAME, table=mart,
                                             return_type="pyarrow")
            assert actual.column_names == expected.column_names, mart
            # Hyper gives large_string for varchar, and rows in any order.
            con.register("from_hyper", actual.cast(expected.schema))
            assert differing_rows(con, f"main.{mart}", "from_hyper") == 0, mart
            assert actual.num_rows == expected.num_rows, mart
            con.unregister("from_hyper")


def test_the_default_build_publishes_parquet_and_the_serving_file(build_demo_a):
    require_success(build_demo_a)
    exports = build_demo_a.export_dir
    assert sorted(p.name for p in exports.iterdir()) == [
        "manifest.json", "parquet", SERVING_DB_NAME]
    assert read_manifest(exports)["formats"] == ["parquet", "duckdb"]


def test_the_serving_file_opens_in_duckdb_1_0(build_demo_a, old_duckdb):
    require_success(build_demo_a)
    completed = python_with_packages(old_duckdb, (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "counts = {m: con.execute(f'select count(*) from main.{m}').fetchall()[0][0]\n"
        "          for (m,) in con.execute('select mart_name from bi_manifest').fetchall()}\n"
        "print(json.dumps([duckdb.__version__, counts]))\n"
    ), str(build_demo_a.export_dir / SERVING_DB_NAME))
    assert completed.returncode == 0, completed.stderr
    version, counts = json.loads(completed.stdout)
    assert version == OLD_DUCKDB_VERSION
    assert set(counts) == set(published(build_demo_a))
    for mart, rows in counts.items():
        assert rows == build_demo_a.query(f"select count(*) as n from main.{mart}")["n"][0]


def test_the_file_dbt_builds_opens_in_duckdb_1_0_too(build_demo_a, old_duckdb):
    """profiles.yml creates it in storage format v1.0.0 (config_options)."""
    require_success(build_demo_a)
    completed = python_with_packages(old_duckdb, (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps([duckdb.__version__, con.execute(\n"
        "    'select count(*) from dim_customer_segments').fetchall()[0][0]]))\n"
    ), str(build_demo_a.db_path))
    assert completed.returncode == 0, completed.stderr
    version, customers = json.loads(completed.stdout)
    assert version == OLD_DUCKDB_VERSION
    assert customers == build_demo_a.query("select count(*) as n from dim_customer_segments").n[0]


# --------------------------------------------------------------------------- failures


def test_a_failing_mart_test_skips_publishing(build_fail_mart_test):
    build = build_fail_mart_test
    assert build.returncode == 1, build.describe()
    assert "FAIL" in build.output and "segment_profiles_fail_on_purpose" in build.output
    assert "SKIP relation main.bi_publications" in build.output, build.describe()
    files = {str(p.relative_to(build.export_dir)): p.read_text()
             for p in build.export_dir.rglob("*") if p.is_file()}
    assert files == PREVIOUS_PUBLICATION
    assert [p.name for p in build.export_dir.parent.iterdir() if "staging" in p.name] == []


def test_a_failing_model_no_mart_reads_skips_publishing(build_fail_model_outside_the_marts):
    """time_spine_daily feeds no mart; its failure must stop publication all the same."""
    build = build_fail_model_outside_the_marts
    assert build.returncode == 1, build.describe()
    assert "ERROR creating sql table model main.time_spine_daily" in build.output, build.describe()
    assert "OK created sql table model main.dim_customer_segments" in build.output
    assert "SKIP relation main.bi_publications" in build.output, build.describe()
    files = {str(p.relative_to(build.export_dir)): p.read_text()
             for p in build.export_dir.rglob("*") if p.is_file()}
    assert files == PREVIOUS_PUBLICATION


def test_a_build_stopped_by_its_input_publishes_nothing(build_fail_no_variance):
    assert build_fail_no_variance.returncode not in (0, -1)
    assert not build_fail_no_variance.export_dir.exists()


def test_a_reader_holding_the_dbt_file_stops_the_build_with_the_lock_message(
        build_demo_a, tmp_path):
    """BI should read the published serving file: a reader of the file dbt
    writes (here another process) makes the next build fail at its start,
    naming the file and the process, and nothing is published."""
    require_success(build_demo_a)
    db_path = tmp_path / "held.duckdb"
    shutil.copy(build_demo_a.db_path, db_path)
    export_dir = tmp_path / "exports"
    shutil.copytree(build_demo_a.export_dir, export_dir)
    before = {p: p.read_bytes() for p in export_dir.rglob("*") if p.is_file()}
    with duckdb_file_held_open(db_path, read_only=True) as reader:
        build = run_dbt_build(tmp_path / "work", {"export_dir": str(export_dir)},
                              name="held", db_path=db_path)
    assert not build.succeeded
    assert f'Could not set lock on file "{db_path}"' in build.output, build.describe()
    assert f"(PID {reader.pid})" in build.output, build.describe()
    assert {p: p.read_bytes() for p in export_dir.rglob("*") if p.is_file()} == before


def test_dbts_file_inside_the_export_folder_is_refused_before_any_model_runs(
        build_demo_a, tmp_path):
    """SEGMENTATION_DUCKDB_PATH at the published serving file (export_dir
    written with '..' in it): publishing would replace dbt's file with the
    serving copy, so the build stops at its start naming both paths."""
    require_success(build_demo_a)
    export_dir = tmp_path / "exports"
    shutil.copytree(build_demo_a.export_dir, export_dir)
    manifest_before = (export_dir / "manifest.json").read_text()
    db_path = export_dir / SERVING_DB_NAME
    build = run_dbt_build(tmp_path / "work",
                          {"export_dir": str(tmp_path / "work" / ".." / "exports")},
                          name="db_in_exports", db_path=db_path)
    assert not build.succeeded
    assert f"SEGMENTATION_DUCKDB_PATH is {db_path}, inside var export_dir {export_dir}" \
        in build.output, build.describe()
    assert "START sql" not in build.output and "START python" not in build.output
    assert (export_dir / "manifest.json").read_text() == manifest_before
    with duckdb.connect(str(db_path), read_only=True) as con:
        [(invocation,)] = con.execute("select any_value(invocation_id) from bi_manifest").fetchall()
    assert invocation == read_manifest(export_dir)["invocation_id"]


def test_the_published_quarantine_carries_no_personal_raw_values(build_dirty):
    """dbt's quarantined_rows keeps rejected customers' ages and incomes for
    the engineer; the published copy keeps only the columns var
    published_raw_columns names, and every row."""
    require_success(build_dirty)
    build = build_dirty
    kept = build.query("select source, source_row_number, record_id, rejection_reason, "
                       "raw_values from quarantined_rows order by all")
    assert any("raw_annual_income" in values and "raw_age" in values
               for values in kept["raw_values"]), "the dirty export rejects no customer"
    parquet = build.export_dir / "parquet"
    with duckdb.connect() as con:
        published_rows = con.execute(
            f"select source, source_row_number, record_id, rejection_reason, raw_values "
            f"from '{parquet / 'quarantined_rows.parquet'}' order by all").df()
        published_values = con.execute(
            f"select column_name, raw_value from '{parquet / 'quarantined_values.parquet'}'"
        ).df()
    assert len(published_rows) == len(kept)
    for dbt_row, row in zip(kept.itertuples(), published_rows.itertuples(), strict=True):
        assert (row.source, row.source_row_number, row.record_id, row.rejection_reason) == (
            dbt_row.source, dbt_row.source_row_number, dbt_row.record_id,
            dbt_row.rejection_reason)
        everything = json.loads(dbt_row.raw_values)
        assert json.loads(row.raw_values) == {
            key: value for key, value in everything.items()
            if key.removeprefix("raw_") in PUBLISHED_RAW_COLUMNS}, row
    assert len(published_values) == len(build.table("quarantined_values")) > 0
    assert published_values["raw_value"].isna().all()  # ages, incomes, quantities: withheld
    with duckdb.connect(str(build.export_dir / SERVING_DB_NAME), read_only=True) as con:
        [(leaks,)] = con.execute(
            "select count(*) from quarantined_rows where raw_values like '%raw_annual_income%' "
            "or raw_values like '%raw_age%'").fetchall()
    assert leaks == 0


def test_a_public_model_left_off_the_publication_list_stops_the_build(tmp_path):
    """access: public is the one definition: bi_public_marts must list exactly
    those models, or nothing is compiled (a public mart would go unpublished)."""
    project = copy_project(tmp_path / "project")
    listing = project / "models" / "bi" / "bi_public_marts.sql"
    listing.write_text(listing.read_text().replace("    'segment_drift',\n", "", 1))
    env = {**os.environ, "DBT_PROFILES_DIR": str(project),
           "SEGMENTATION_DUCKDB_PATH": str(tmp_path / "seg.duckdb")}
    completed = subprocess.run(
        [dbt_executable(), "compile", "--select", "bi_public_marts",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=project, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
        stdin=subprocess.DEVNULL)
    assert completed.returncode != 0
    assert "Public but not listed (not published): segment_drift" in completed.stdout
