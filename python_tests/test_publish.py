"""segmentation.publish and segmentation.tableau on a small hand-made warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from build_checks import (
    OLD_DUCKDB_VERSION,
    column_types,
    differing_rows,
    duckdb_file_held_open,
    python_with_packages,
)
from dbt_runner import HANG_GUARD_SECONDS
from segmentation import publish
from segmentation.public_marts import published_mart_relations
from segmentation.publish import (
    MANIFEST_NAME,
    PUBLICATION_SCHEMA,
    SERVING_DB_NAME,
    publish_marts,
    read_manifest,
)
from segmentation.tableau import _umask

MARTS = {name: f"main.{name}" for name in ("segments", "customers", "empty_mart")}


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A DuckDB file with three small marts: every column type the marts use,
    awkward text (commas, quotes, newlines, leading zeros, '' and null) and
    doubles that do not print short."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("""
            create table main.segments as
            select * from (values
                (1, 'Loyal, "big" spenders', 0.1::double + 0.2::double, true,
                 date '2025-06-30', 10::bigint),
                (2, 'multi' || chr(10) || 'line', 1 / 3, false, null, null),
                (3, '', 1e-300, null, date '1999-12-31', -5::bigint),
                (4, null, null, true, date '2025-01-01', 9007199254740993::bigint)
            ) as v(segment_id, segment_name, revenue_share, is_active, as_of_date, customers)
        """)
        con.execute("""
            create table main.customers as
            select lpad(cast(i as varchar), 6, '0') as customer_id,
                   cast(i % 4 + 1 as integer) as segment_id,
                   sqrt(i) / 7 as distance_to_centroid
            from range(5000) as r(i)
        """)
        con.execute("create table main.empty_mart (k integer, v varchar)")
        con.execute("create table main.not_a_mart as select 1 as x")
    return path


def run_publish(db_path: Path, export_dir: Path, marts=None, **kwargs):
    kwargs.setdefault("invocation_id", "build-1")
    kwargs.setdefault("as_of_date", date(2025, 6, 30))
    with duckdb.connect(str(db_path)) as con:
        return publish_marts(con, marts or MARTS, export_dir, **kwargs)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_leftovers(export_dir: Path) -> list[Path]:
    return sorted(export_dir.parent.glob(f".{export_dir.name}.staging-*"))


# --------------------------------------------------------------------------- formats


def test_every_format_reads_back_equal_to_the_marts(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["parquet", "csv", "duckdb"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"attach '{export_dir / SERVING_DB_NAME}' as serving (read_only)")
        for name, relation in MARTS.items():
            types = column_types(con, relation)
            parquet = f"read_parquet('{export_dir / 'parquet' / f'{name}.parquet'}')"
            # "" and null differ in the CSV by quotes alone; DuckDB's reader
            # needs allow_quoted_nulls=false to keep them apart.
            csv = (f"read_csv('{export_dir / 'csv' / f'{name}.csv'}', header = true, "
                   f"allow_quoted_nulls = false, columns = "
                   "{" + ", ".join(f"'{c}': '{t}'" for c, t in types) + "})")
            serving = f"serving.main.{name}"
            for copy in (parquet, csv, serving):
                assert column_types(con, copy) == types, (name, copy)
                assert differing_rows(con, relation, copy) == 0, (name, copy)
                assert (con.execute(f"select count(*) from {copy}").fetchall()
                        == con.execute(f"select count(*) from {relation}").fetchall())


def test_the_result_lists_every_file_and_the_manifest_describes_them(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    table = run_publish(warehouse, export_dir, formats="parquet, duckdb",
                        published_at=datetime(2026, 1, 2, 3, 4, 5))
    assert table.schema == PUBLICATION_SCHEMA
    rows = table.to_pylist()
    assert [(r["mart_name"], r["export_format"]) for r in rows] == [
        (name, fmt) for name in MARTS for fmt in ("parquet", "duckdb")]
    for row in rows:
        path = Path(row["file_path"])
        assert path.is_absolute() and path.is_file()
        assert row["file_bytes"] == path.stat().st_size
        assert row["invocation_id"] == "build-1"
        assert row["as_of_date"] == date(2025, 6, 30)
    assert {r["mart_name"]: r["row_count"] for r in rows} == {
        "segments": 4, "customers": 5000, "empty_mart": 0}

    manifest = read_manifest(export_dir)
    assert manifest["invocation_id"] == "build-1"
    assert manifest["published_at"] == "2026-01-02T03:04:05Z"
    assert manifest["as_of_date"] == "2025-06-30"
    assert manifest["formats"] == ["parquet", "duckdb"]
    customers = next(m for m in manifest["marts"] if m["name"] == "customers")
    assert customers == {
        "name": "customers", "rows": 5000,
        "columns": [{"name": "customer_id", "type": "VARCHAR"},
                    {"name": "segment_id", "type": "INTEGER"},
                    {"name": "distance_to_centroid", "type": "DOUBLE"}],
        "files": {"parquet": "parquet/customers.parquet", "duckdb": SERVING_DB_NAME},
    }
    assert sorted(p.name for p in export_dir.iterdir()) == [MANIFEST_NAME, "parquet",
                                                            SERVING_DB_NAME]
    assert staging_leftovers(export_dir) == []


def test_parquet_files_are_zstd_and_carry_the_build(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["parquet"])
    parquet = pq.ParquetFile(export_dir / "parquet" / "customers.parquet")
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    assert parquet.schema_arrow.metadata[b"invocation_id"] == b"build-1"
    assert parquet.schema_arrow.metadata[b"as_of_date"] == b"2025-06-30"


def test_the_serving_file_lists_its_marts(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["duckdb"])
    with duckdb.connect(str(export_dir / SERVING_DB_NAME), read_only=True) as con:
        assert published_mart_relations(con) == {
            name: f'main."{name}"' for name in sorted(MARTS)}
        assert con.execute(
            "select mart_name, row_count, column_count, invocation_id from bi_manifest "
            "order by mart_name").fetchall() == [
            ("customers", 5000, 3, "build-1"), ("empty_mart", 0, 2, "build-1"),
            ("segments", 4, 6, "build-1")]
    assert not Path(f"{export_dir / SERVING_DB_NAME}.wal").exists()


def test_the_serving_file_opens_in_an_old_duckdb(warehouse, tmp_path, old_duckdb):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["duckdb"])
    completed = python_with_packages(old_duckdb, (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "rows = {m: con.execute(f'select count(*) from main.{m}').fetchall()[0][0]\n"
        "        for (m,) in con.execute('select mart_name from bi_manifest').fetchall()}\n"
        "print(json.dumps([duckdb.__version__, rows]))\n"
    ), str(export_dir / SERVING_DB_NAME))
    assert completed.returncode == 0, completed.stderr
    version, rows = json.loads(completed.stdout)
    assert version == OLD_DUCKDB_VERSION
    assert rows == {"segments": 4, "customers": 5000, "empty_mart": 0}


# --------------------------------------------------------------------------- all or nothing


def test_a_failed_write_leaves_the_previous_publication_untouched(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["parquet", "csv", "duckdb"])
    before = snapshot(export_dir)
    # Binds (so the mart's shape is known) but fails while the files are written.
    broken = {**MARTS, "customers": "(select cast(customer_id || 'x' as integer) as id "
                                    "from main.customers)"}
    with pytest.raises(duckdb.ConversionException):
        run_publish(warehouse, export_dir, broken, formats=["parquet", "csv", "duckdb"],
                    invocation_id="build-2")
    assert snapshot(export_dir) == before
    assert staging_leftovers(export_dir) == []
    assert read_manifest(export_dir)["invocation_id"] == "build-1"


def test_files_an_earlier_publication_wrote_are_removed_and_others_kept(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["parquet", "csv"])
    (export_dir / "parquet" / "my_own_analysis.parquet").write_text("not ours")
    run_publish(warehouse, export_dir, {"customers": "main.customers"}, formats=["parquet"],
                invocation_id="build-2")
    assert sorted(str(p.relative_to(export_dir)) for p in export_dir.rglob("*.*")) == [
        MANIFEST_NAME, "parquet/customers.parquet", "parquet/my_own_analysis.parquet"]


def test_a_reader_holding_the_serving_file_keeps_its_build_and_never_blocks(
        warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["duckdb"])
    serving = export_dir / SERVING_DB_NAME
    reader_code = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "query = 'select any_value(invocation_id) from bi_manifest'\n"
        "for _ in sys.stdin:\n"
        "    print(con.execute(query).fetchall()[0][0], flush=True)\n"
    )
    # A BI tool: another process, with the file open from before the next build.
    holder = subprocess.Popen([sys.executable, "-c", reader_code, str(serving)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write("?\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "build-1"

        run_publish(warehouse, export_dir, formats=["duckdb"], invocation_id="build-2")

        holder.stdin.write("?\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "build-1"  # its open file is unchanged
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    fresh = subprocess.run([sys.executable, "-c", reader_code, str(serving)], input="?\n",
                           capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)
    assert fresh.stdout.strip() == "build-2", fresh.stderr


# --------------------------------------------------------------------------- faults


def test_the_manifest_records_the_row_counts_of_the_build(warehouse, tmp_path):
    run_publish(warehouse, tmp_path / "exports",
                model_row_counts={"stg_view": None, "customers": 5000, "segments": 4})
    assert read_manifest(tmp_path / "exports")["build_models"] == [
        {"name": "customers", "rows": 5000}, {"name": "segments", "rows": 4},
        {"name": "stg_view", "rows": None}]


def test_staging_folders_of_killed_publications_are_removed(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    killed = tmp_path / ".exports.staging-0123456789ab"
    (killed / "parquet").mkdir(parents=True)
    (killed / "parquet" / "customers.parquet").write_text("half written")
    others = [tmp_path / ".exports.staging-notes", tmp_path / ".other.staging-0123456789ab"]
    for path in others:
        path.mkdir()
    messages = []
    run_publish(warehouse, export_dir, progress=messages.append)
    assert not killed.exists()
    assert any(".exports.staging-0123456789ab" in m and "did not finish" in m
               for m in messages), messages
    assert all(path.is_dir() for path in others)  # not this folder's staging: not ours
    assert read_manifest(export_dir)["invocation_id"] == "build-1"


def test_a_live_publishers_staging_folder_is_left_alone(warehouse, tmp_path):
    """A publisher stages its files only while it holds the lock: the next
    one waits, and then finds that folder gone or stale."""
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    live = tmp_path / ".exports.staging-aaaaaaaaaaaa"
    done = threading.Event()
    errors = []

    def publish_next():
        try:
            run_publish(warehouse, export_dir, invocation_id="build-2")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            done.set()

    with publish._publish_lock(export_dir) as exclusive:
        assert exclusive
        live.mkdir()
        (live / "segments.parquet").write_text("being written")
        waiting = threading.Thread(target=publish_next)
        waiting.start()
        assert not done.wait(timeout=2)  # it waits for the lock...
        assert (live / "segments.parquet").read_text() == "being written"  # ...touching nothing
        assert staging_leftovers(export_dir) == [live]  # and staging nothing of its own
        assert read_manifest(export_dir) is None
    waiting.join(timeout=60)
    assert done.is_set() and not errors, errors
    assert read_manifest(export_dir)["invocation_id"] == "build-2"
    # The holder let go without removing its folder, as a killed publisher would.
    assert not live.exists()


@pytest.mark.parametrize("inside", [SERVING_DB_NAME, "dbt/segmentation.duckdb", "."])
def test_a_database_inside_the_export_folder_is_refused_before_anything_is_written(
        warehouse, tmp_path, inside):
    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir)
    database = (export_dir / inside / "dbt.duckdb" if inside == "."
                else export_dir / inside)
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute("create table main.customers as select 1 as customer_id")
    before = snapshot(export_dir)
    with pytest.raises(ValueError) as refused:
        run_publish(database, export_dir, {"customers": "main.customers"},
                    invocation_id="build-2")
    message = str(refused.value)
    assert str(database.resolve()) in message and str(export_dir.resolve()) in message
    assert "SEGMENTATION_DUCKDB_PATH" in message
    assert snapshot(export_dir) == before
    assert staging_leftovers(export_dir) == []


def test_a_database_reached_through_a_symlink_is_refused_too(warehouse, tmp_path):
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    database = export_dir / "dbt.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table main.customers as select 1 as customer_id")
    (tmp_path / "elsewhere").symlink_to(export_dir)
    with pytest.raises(ValueError, match="lies inside export_dir"):
        run_publish(tmp_path / "elsewhere" / "dbt.duckdb", export_dir,
                    {"customers": "main.customers"})
    assert sorted(p.name for p in export_dir.iterdir()) == ["dbt.duckdb"]


def test_a_database_beside_the_export_folder_is_fine(warehouse, tmp_path):
    """exports-old/ or exports.duckdb share a prefix with exports/, not a folder."""
    export_dir = tmp_path / "exports"
    beside = tmp_path / "exports.duckdb"
    with duckdb.connect(str(beside)) as con:
        con.execute("create table main.customers as select 1 as customer_id")
    run_publish(beside, export_dir, {"customers": "main.customers"})
    assert read_manifest(export_dir)["marts"][0]["rows"] == 1


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("formats", [["parquet", "xlsx"], [], "json"])
def test_unknown_formats_are_named(warehouse, tmp_path, formats):
    with pytest.raises(ValueError, match="choose from"):
        run_publish(warehouse, tmp_path / "exports", formats=formats)
    assert not (tmp_path / "exports").exists()


def test_a_mart_name_must_be_a_plain_identifier(warehouse, tmp_path):
    with pytest.raises(ValueError, match="not a lower-case SQL identifier"):
        run_publish(warehouse, tmp_path / "exports", {"../evil": "main.customers"})


def test_a_file_without_a_list_of_marts_is_a_clear_error(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        with pytest.raises(ValueError, match="lists no public marts"):
            published_mart_relations(con)


def test_windows_style_refusal_to_replace_names_the_file(warehouse, tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(publish.os, "replace", refuse)
    with pytest.raises(PermissionError, match=f"could not replace .*{SERVING_DB_NAME}"):
        run_publish(warehouse, tmp_path / "exports", formats=["duckdb"])
    assert staging_leftovers(tmp_path / "exports") == []


# --------------------------------------------------------------------------- Tableau


def test_write_hyper_reads_back_equal(warehouse, tmp_path):
    pantab = pytest.importorskip("pantab")
    from segmentation.tableau import write_hyper

    export_dir = tmp_path / "exports"
    run_publish(warehouse, export_dir, formats=["duckdb"])
    out = tmp_path / "tableau" / "marts.hyper"
    messages = []
    rows = write_hyper(export_dir / SERVING_DB_NAME, out, progress=messages.append)
    assert rows == {"customers": 5000, "empty_mart": 0, "segments": 4}
    assert len(messages) == 3
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()  # not Hyper's owner-only mode
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, relation in MARTS.items():
            expected = con.sql(f"select * from {relation}").to_arrow_table()
            actual = pantab.frame_from_hyper(out, table=name, return_type="pyarrow")
            assert actual.column_names == expected.column_names
            # Hyper returns large_string for varchar and rows in any order.
            actual = actual.cast(expected.schema)
            con.register("actual_hyper", actual)
            assert differing_rows(con, relation, "actual_hyper") == 0, name
            con.unregister("actual_hyper")
    assert list(out.parent.iterdir()) == [out]


def test_write_hyper_names_the_extra_when_pantab_is_missing(warehouse, tmp_path, monkeypatch):
    from segmentation.tableau import write_hyper

    monkeypatch.setitem(sys.modules, "pantab", None)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[tableau\]"'):
        write_hyper(warehouse, tmp_path / "x.hyper")


def test_write_hyper_explains_a_file_a_build_is_writing(warehouse, tmp_path):
    pytest.importorskip("pantab")
    from segmentation.tableau import write_hyper

    with duckdb_file_held_open(warehouse, read_only=False), \
            pytest.raises(ValueError, match="running `dbt build` holds it"):
        write_hyper(warehouse, tmp_path / "x.hyper")
    assert not (tmp_path / "x.hyper").exists()
