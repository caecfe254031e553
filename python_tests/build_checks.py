"""Helpers the dbt tests check builds with: comparing relations, counting CSV rows,
holding a DuckDB file open, running code against an older DuckDB."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dbt_runner import HANG_GUARD_SECONDS, DbtBuild

# DuckDB release the published serving file must open in (fixture old_duckdb):
# the oldest 1.x. docs/bi-guide.md lists the others tried.
OLD_DUCKDB_VERSION = "1.0.0"


def require_success(build: DbtBuild) -> None:
    """Fail with the build's output unless it succeeded."""
    assert build.succeeded, build.describe()


@contextmanager
def duckdb_file_held_open(path: Path, *, read_only: bool) -> Iterator[subprocess.Popen]:
    """Another process holding ``path`` open, as a BI tool or a build would, until the
    block ends; yields the process (its pid is what DuckDB's lock message names)."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
         "print('open', flush=True); sys.stdin.read()", str(path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def python_with_packages(packages_dir: Path, code: str, *args: str,
                         timeout: float = HANG_GUARD_SECONDS) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter that imports from ``packages_dir`` first
    (e.g. an older duckdb installed there with ``pip install --target``)."""
    env = {**os.environ, "PYTHONPATH": str(packages_dir)}
    return subprocess.run([sys.executable, "-s", "-c", code, *args], env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def differing_rows(con, first: str, second: str) -> int:
    """Rows in one relation and not the other, duplicates counted (0: equal as bags)."""
    [(count,)] = con.execute(f"""
        select count(*) from (
            (select * from {first} except all select * from {second})
            union all
            (select * from {second} except all select * from {first}))
    """).fetchall()
    return count


def column_types(con, relation: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs of a relation or query."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    return [(row[0], row[1]) for row in described]


def csv_data_rows(path: Path) -> int:
    """Data rows of a CSV file (header excluded), counted by a CSV parser."""
    with open(path, newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1
