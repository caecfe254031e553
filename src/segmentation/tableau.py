"""Tableau .hyper extracts of the public marts (optional extra: ``tableau``).

pantab ships its own Hyper engine (about 260 MB), so it is imported only
here, when an extract is written: ``pip install -e ".[tableau]"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from segmentation.public_marts import published_mart_relations

TABLEAU_EXTRA_HINT = 'pip install -e ".[tableau]"'


def write_hyper(db_path: Path, out_path: Path,
                progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write every public mart of the DuckDB file ``db_path`` to one .hyper file.

    ``db_path`` is the file ``dbt build`` writes or the published serving
    file; it is opened read-only, so a running build is never blocked, but a
    build that is writing it blocks this (a clear error says so). One Hyper
    table per mart, named like the mart, in schema ``public``. The extract is
    written beside ``out_path`` and moved over it when complete. Returns
    {mart: rows}.
    """
    _pantab()  # fail on a missing extra before any work
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no DuckDB file at {db_path}: run `dbt build` first")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.IOException as error:
        raise ValueError(
            f"cannot open {db_path} to read it: {error}. A running `dbt build` holds it; "
            "try again when it has finished, or read the published serving file "
            "(<export_dir>/segmentation_marts.duckdb), which builds never lock") from error
    with con:
        return write_hyper_tables(con, published_mart_relations(con), Path(out_path),
                                  progress=progress)


def write_hyper_tables(con: duckdb.DuckDBPyConnection, marts: Mapping[str, str],
                       out_path: Path,
                       progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write ``marts`` ({name: relation SQL on ``con``}) to ``out_path`` as Hyper tables.

    Marts go one at a time as Arrow, so memory holds one mart, not all. The
    file appears at ``out_path`` only when complete (written beside it, then
    ``os.replace``d). Returns {mart: rows}.
    """
    pantab = _pantab()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.stem}.{uuid.uuid4().hex[:12]}.partial.hyper")
    rows: dict[str, int] = {}
    try:
        for position, (name, relation) in enumerate(marts.items()):
            table = con.sql(f"select * from {relation}").to_arrow_table()
            if progress:
                progress(f"hyper: {name} ({table.num_rows:,} rows)")
            pantab.frame_to_hyper(table, partial, table=name,
                                  table_mode="w" if position == 0 else "a")
            rows[name] = table.num_rows
        # Hyper creates its files owner/group-only; an extract is for sharing.
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def _pantab():
    try:
        import pantab
    except ImportError as error:
        raise ImportError(
            "writing a Tableau .hyper extract needs pantab, part of the optional "
            f"'tableau' extra: {TABLEAU_EXTRA_HINT}") from error
    return pantab


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
