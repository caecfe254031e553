"""Run MetricFlow (`mf`) against any DuckDB file the project built.

`mf` reads ``target/semantic_manifest.json`` under the folder it runs in, and
that manifest names every table by the database of the file dbt last built or
parsed (DuckDB names a file's database after it: ``shop.duckdb`` is ``shop``).
After building another file, a plain `mf query` therefore asks for tables of a
database the profile did not open. `segmentation mf --db FILE ...` checks the
manifest against FILE, rewrites it with `dbt parse` when it names another
database (the YAML is unchanged, only the database differs), and then runs `mf`
on FILE.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

MANIFEST = Path("target") / "semantic_manifest.json"


def database_name(db_path: Path) -> str:
    """The name DuckDB gives the file's database (what the manifest must name)."""
    if not db_path.exists():
        raise FileNotFoundError(
            f"no DuckDB file {db_path}: build it first (dbt build writes the file "
            "SEGMENTATION_DUCKDB_PATH names, by default segmentation.duckdb)")
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("select current_database()").fetchone()[0]


def manifest_databases(project_dir: Path) -> set[str]:
    """The databases the semantic manifest's tables are named in (empty: no manifest)."""
    path = project_dir / MANIFEST
    if not path.exists():
        return set()
    manifest = json.loads(path.read_text())
    relations = [model["node_relation"] for model in manifest.get("semantic_models", [])]
    relations += [spine["node_relation"] for spine in
                  (manifest.get("project_configuration") or {}).get("time_spines", [])]
    return {relation.get("database") for relation in relations}


def _executable(name: str) -> str:
    """The tool installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"'{name}' is not installed: pip install -e \".[dbt]\" installs it")
    return found


def run_mf(db_path: Path, mf_args: list[str], project_dir: Path | None = None,
           progress=None) -> int:
    """Run `mf <mf_args>` on db_path from the project root, writing the manifest first
    if it names another file's database. Returns mf's exit code."""
    project_dir = project_dir or Path.cwd()
    if not (project_dir / "dbt_project.yml").exists():
        raise FileNotFoundError(
            f"{project_dir} has no dbt_project.yml: run segmentation mf from the project root, "
            "where mf finds target/semantic_manifest.json")
    env = {**os.environ, "SEGMENTATION_DUCKDB_PATH": str(db_path)}
    wanted = database_name(db_path)
    if manifest_databases(project_dir) != {wanted}:
        if progress:
            progress(f"writing {MANIFEST} for {db_path} (database {wanted}): dbt parse")
        parse = subprocess.run([_executable("dbt"), "parse", "--quiet"], cwd=project_dir, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if parse.returncode != 0:
            raise ValueError(f"dbt parse failed, so mf has no manifest for {db_path}:\n"
                             + parse.stdout + parse.stderr)
        if manifest_databases(project_dir) != {wanted}:
            raise ValueError(f"dbt parse wrote {MANIFEST} without naming database {wanted}")
    return subprocess.run([_executable("mf"), *mf_args], cwd=project_dir, env=env).returncode
