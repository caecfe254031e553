"""Publishing the public marts for BI tools, complete or not at all.

One call writes every mart, in each requested format, into a staging folder
beside the export folder, then moves the finished files into place:

    <export_dir>/parquet/<mart>.parquet   zstd-compressed Parquet
    <export_dir>/csv/<mart>.csv           comma-separated, header row, ISO dates
    <export_dir>/segmentation_marts.duckdb  every mart in one DuckDB file that
                                          DuckDB 0.10 and later open (STORAGE_VERSION)
    <export_dir>/segmentation.hyper       every mart in one Tableau extract (extra: tableau)
    <export_dir>/manifest.json            what was published, when, from which build

Each file is replaced with ``os.replace``, which swaps a directory entry in
one step: a reader opening a file sees the previous build's complete file or
this build's complete file, never a partial one, and a reader that already
holds a file open keeps reading the previous version (POSIX). The files are
replaced one after another only once all of them are written, the manifest
last; the two single-file formats (DuckDB, Hyper) hold every mart of one build
and so are consistent as a whole. Files of marts or formats the previous
manifest listed and this one does not are removed after the swap.

A lock file beside the export folder makes publications into one folder take
turns, from the first staged file to the last swap; holding it, a publication
first removes staging folders that publications killed part-way left behind
(no live publisher can be using one while the lock is held). The database the
marts are read from must not lie inside the export folder: publishing would
replace or delete it, so that is refused before anything is written.

The dbt model ``bi_publications`` calls :func:`publish_marts` once every
public mart and its tests passed; this module has no dbt import.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from segmentation.public_marts import SERVING_MANIFEST_TABLE
from segmentation.tableau import write_hyper_tables

EXPORT_FORMATS = ("parquet", "csv", "duckdb", "hyper")
SERVING_DB_NAME = "segmentation_marts.duckdb"
HYPER_NAME = "segmentation.hyper"
MANIFEST_NAME = "manifest.json"
# The oldest storage format DuckDB 2.0 writes. DuckDB 0.10.3, 1.0 to 1.5 and
# 2.0 read it (docs/bi-guide.md); the tests open it with DuckDB 1.0.
SERVING_STORAGE_VERSION = "v1.0.0"

PUBLICATION_SCHEMA = pa.schema([
    pa.field("mart_name", pa.string(), nullable=False),
    pa.field("export_format", pa.string(), nullable=False),
    pa.field("file_path", pa.string(), nullable=False),
    pa.field("row_count", pa.int64(), nullable=False),
    pa.field("column_count", pa.int32(), nullable=False),
    pa.field("file_bytes", pa.int64(), nullable=False),
    pa.field("as_of_date", pa.date32()),
    pa.field("published_at", pa.timestamp("us"), nullable=False),
    pa.field("invocation_id", pa.string(), nullable=False),
])

_MART_NAME = re.compile(r"[a-z_][a-z0-9_]*")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class MartShape:
    """A mart's name, relation (as SQL), row count and (column, DuckDB type) pairs."""

    name: str
    relation: str
    row_count: int
    columns: tuple[tuple[str, str], ...]


def publish_marts(
    con: duckdb.DuckDBPyConnection,
    marts: Mapping[str, str],
    export_dir: Path,
    *,
    formats: Sequence[str] | str = ("parquet", "duckdb"),
    invocation_id: str,
    as_of_date: date | None = None,
    published_at: datetime | None = None,
    model_row_counts: Mapping[str, int | None] | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """Write ``marts`` ({mart name: relation SQL on ``con``}) to ``export_dir``.

    ``formats`` is any of :data:`EXPORT_FORMATS`; ``hyper`` needs the
    ``tableau`` extra. Nothing in ``export_dir`` changes unless every file was
    written. Returns one row per (mart, format) with :data:`PUBLICATION_SCHEMA`;
    ``file_path`` is the final absolute path and ``file_bytes`` its size (the
    whole file for the DuckDB and Hyper files, which every mart shares).
    ``published_at`` is UTC. ``model_row_counts`` ({model: rows, or None when
    not counted}) records in the manifest what the build that publishes made.
    Raises ValueError, before writing anything, when a database file attached
    to ``con`` lies inside ``export_dir``.
    """
    formats = _validated_formats(formats)
    for name in marts:
        if not _MART_NAME.fullmatch(name):
            raise ValueError(f"mart name {name!r} is not a lower-case SQL identifier")
    if not marts:
        raise ValueError("no marts to publish")
    export_dir = Path(export_dir).expanduser().resolve()
    refuse_database_inside(con, export_dir)
    published_at = published_at or datetime.now(UTC).replace(tzinfo=None)
    say = progress or (lambda message: None)

    shapes = [_shape(con, name, relation) for name, relation in marts.items()]
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    with _publish_lock(export_dir) as exclusive:
        if exclusive:
            for stale in remove_stale_staging(export_dir):
                say(f"removed {stale.name}, left by a publication that did not finish")
        staging = export_dir.parent / f".{export_dir.name}.staging-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        try:
            files = _write_staged(con, shapes, staging, formats, invocation_id=invocation_id,
                                  as_of_date=as_of_date, published_at=published_at, say=say)
            manifest = _manifest(shapes, files, formats, invocation_id=invocation_id,
                                 as_of_date=as_of_date, published_at=published_at,
                                 model_row_counts=model_row_counts)
            (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
            sizes = {relative: (staging / relative).stat().st_size
                     for relative in {f for per_mart in files.values()
                                      for f in per_mart.values()}}
            say(f"publishing {len(sizes) + 1} files into {export_dir}")
            _swap_into_place(staging, export_dir, [*_in_swap_order(sizes), MANIFEST_NAME])
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    rows = [
        {
            "mart_name": shape.name,
            "export_format": export_format,
            "file_path": str(export_dir / relative),
            "row_count": shape.row_count,
            "column_count": len(shape.columns),
            "file_bytes": sizes[relative],
            "as_of_date": as_of_date,
            "published_at": published_at,
            "invocation_id": invocation_id,
        }
        for shape in shapes
        for export_format, relative in files[shape.name].items()
    ]
    return pa.Table.from_pylist(rows, schema=PUBLICATION_SCHEMA)


def read_manifest(export_dir: Path) -> dict | None:
    """The manifest of the publication in ``export_dir``, or None when there is none."""
    path = Path(export_dir) / MANIFEST_NAME
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def refuse_database_inside(con: duckdb.DuckDBPyConnection, export_dir: Path) -> None:
    """Raise ValueError when a database file attached to ``con`` lies inside ``export_dir``.

    Publishing replaces files in ``export_dir`` (the serving DuckDB file among
    them) and deletes files an earlier publication wrote there, so a database
    the marts are read from, such as dbt's own file, must live elsewhere.
    Paths are compared after resolving symbolic links.
    """
    export_dir = Path(export_dir).expanduser().resolve()
    for (path,) in con.execute(
            "select path from duckdb_databases() where path is not null").fetchall():
        database = Path(path).expanduser().resolve()
        if database == export_dir or export_dir in database.parents:
            raise ValueError(
                f"the DuckDB file the marts are read from, {database} (dbt's file: "
                f"SEGMENTATION_DUCKDB_PATH), lies inside export_dir {export_dir}: publishing "
                "would replace or delete it. Keep dbt's file outside the export folder, or "
                "choose another export_dir; BI tools read the published copy.")


def remove_stale_staging(export_dir: Path) -> list[Path]:
    """Removes the staging folders of ``export_dir`` left by unfinished publications.

    Call it only while holding the publish lock: a publication stages its
    files only while it holds the lock, so every staging folder found then
    belongs to one that was killed or crashed. Returns the folders removed.
    """
    export_dir = Path(export_dir)
    pattern = re.compile(re.escape(f".{export_dir.name}.staging-") + r"[0-9a-f]{12}")
    stale = sorted(path for path in export_dir.parent.glob(f".{export_dir.name}.staging-*")
                   if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink())
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


# --------------------------------------------------------------------------- writing


def _validated_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(formats, str):  # "parquet, csv" as well as [parquet, csv]
        formats = formats.split(",")
    chosen = tuple(dict.fromkeys(str(f).strip().lower() for f in formats))
    unknown = [f for f in chosen if f not in EXPORT_FORMATS]
    if unknown or not chosen:
        raise ValueError(f"export formats {list(formats)!r}: choose from {list(EXPORT_FORMATS)}")
    return chosen


def _shape(con: duckdb.DuckDBPyConnection, name: str, relation: str) -> MartShape:
    columns = con.execute(f"describe select * from {relation}").fetchall()
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open on the connection.
    [(row_count,)] = con.execute(f"select count(*) from {relation}").fetchall()
    return MartShape(name, relation, int(row_count),
                     tuple((column[0], column[1]) for column in columns))


def _write_staged(con, shapes: list[MartShape], staging: Path, formats: tuple[str, ...], *,
                  invocation_id: str, as_of_date: date | None, published_at: datetime,
                  say: Progress) -> dict[str, dict[str, str]]:
    """Writes every file under ``staging``; {mart: {format: path relative to staging}}."""
    files: dict[str, dict[str, str]] = {shape.name: {} for shape in shapes}
    metadata = _sql_struct({"invocation_id": invocation_id,
                            "as_of_date": as_of_date.isoformat() if as_of_date else "",
                            "published_at": published_at.isoformat(timespec="seconds") + "Z"})
    for export_format in ("parquet", "csv"):
        if export_format not in formats:
            continue
        (staging / export_format).mkdir()
        for shape in shapes:
            relative = f"{export_format}/{shape.name}.{export_format}"
            # zstd level 1: files as small as at the default level 3, written faster.
            options = (f"format parquet, compression zstd, compression_level 1, "
                       f"kv_metadata {metadata}"
                       if export_format == "parquet" else "format csv, header true")
            say(f"{export_format}: {shape.name} ({shape.row_count:,} rows)")
            con.execute(f"copy (select * from {shape.relation}) "
                        f"to {_sql_string(staging / relative)} ({options})")
            files[shape.name][export_format] = relative
    if "duckdb" in formats:
        say(f"duckdb: {len(shapes)} marts into {SERVING_DB_NAME} "
            f"(storage version {SERVING_STORAGE_VERSION})")
        _write_serving_db(con, shapes, staging / SERVING_DB_NAME, invocation_id=invocation_id,
                          as_of_date=as_of_date, published_at=published_at)
        for shape in shapes:
            files[shape.name]["duckdb"] = SERVING_DB_NAME
    if "hyper" in formats:
        write_hyper_tables(con, {shape.name: shape.relation for shape in shapes},
                           staging / HYPER_NAME, progress=say)
        for shape in shapes:
            files[shape.name]["hyper"] = HYPER_NAME
    return files


def _write_serving_db(con, shapes: list[MartShape], path: Path, *, invocation_id: str,
                      as_of_date: date | None, published_at: datetime) -> None:
    """Copies the marts into a new DuckDB file in the oldest storage format 2.0 writes."""
    alias = f"bi_serving_{uuid.uuid4().hex[:8]}"
    con.execute(f"attach {_sql_string(path)} as {alias} "
                f"(storage_version '{SERVING_STORAGE_VERSION}')")
    try:
        for shape in shapes:
            con.execute(f'create table {alias}.main."{shape.name}" as '
                        f"select * from {shape.relation}")
        con.execute(f"""
            create table {alias}.main.{SERVING_MANIFEST_TABLE} (
                mart_name varchar not null,
                row_count bigint not null,
                column_count integer not null,
                as_of_date date,
                published_at timestamp not null,
                invocation_id varchar not null
            )""")
        con.executemany(
            f"insert into {alias}.main.{SERVING_MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?)",
            [[shape.name, shape.row_count, len(shape.columns), as_of_date, published_at,
              invocation_id] for shape in shapes])
        con.execute(f"checkpoint {alias}")
    finally:
        con.execute(f"detach {alias}")


def _manifest(shapes: list[MartShape], files: dict[str, dict[str, str]],
              formats: tuple[str, ...], *, invocation_id: str, as_of_date: date | None,
              published_at: datetime,
              model_row_counts: Mapping[str, int | None] | None = None) -> dict:
    manifest = {
        "published_at": published_at.isoformat(timespec="seconds") + "Z",
        "invocation_id": invocation_id,
        "as_of_date": as_of_date.isoformat() if as_of_date else None,
        "formats": list(formats),
        "duckdb_storage_version": SERVING_STORAGE_VERSION if "duckdb" in formats else None,
        "marts": [
            {
                "name": shape.name,
                "rows": shape.row_count,
                "columns": [{"name": name, "type": data_type} for name, data_type in shape.columns],
                "files": files[shape.name],
            }
            for shape in shapes
        ],
    }
    if model_row_counts is not None:
        manifest["build_models"] = [
            {"name": name, "rows": None if rows is None else int(rows)}
            for name, rows in sorted(model_row_counts.items())
        ]
    return manifest


# --------------------------------------------------------------------------- swapping


def _in_swap_order(relatives) -> list[str]:
    """The files holding every mart first, then one file per mart.

    On Windows a file a reader holds open cannot be replaced; the DuckDB and
    Hyper files are the ones BI tools keep open, so a failure there happens
    before anything else has changed.
    """
    return sorted(relatives, key=lambda relative: ("/" in relative, relative))


def _swap_into_place(staging: Path, export_dir: Path, relatives: list[str]) -> None:
    """os.replace each staged file over its published path; then drop stale files.

    Called holding the publish lock, so two builds publishing into the same
    folder never interleave their swaps.
    """
    export_dir.mkdir(parents=True, exist_ok=True)
    try:
        previous = read_manifest(export_dir)
    except ValueError:  # not JSON: remove nothing it may name
        previous = None
    for relative in relatives:
        target = export_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staging / relative, target)
        except PermissionError as error:  # Windows: a reader holds the file open
            raise PermissionError(
                f"could not replace {target}: another program holds it open "
                f"({error}); close it and build again") from error
    for relative in _files_of(previous) - set(relatives):
        # Only names an earlier publication wrote, never a user's own files.
        with contextlib.suppress(FileNotFoundError):
            (export_dir / relative).unlink()


def _files_of(manifest: dict | None) -> set[str]:
    if not manifest:
        return set()
    return {relative for mart in manifest.get("marts", [])
            for relative in mart.get("files", {}).values()
            if not Path(relative).is_absolute() and ".." not in Path(relative).parts}


@contextlib.contextmanager
def _publish_lock(export_dir: Path) -> Iterator[bool]:
    """Holds ``.<export_dir>.publish-lock`` beside the folder; yields whether it is exclusive.

    The lock is released when its holder ends, killed or not (flock), so a
    killed publication never blocks the next one.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; publications there are not serialized
        yield False
        return
    lock_path = export_dir.parent / f".{export_dir.name}.publish-lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- SQL text


def _sql_string(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_struct(values: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{key}: {_sql_string(value)}" for key, value in values.items()) + "}"
