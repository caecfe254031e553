"""Running `dbt build` for the tests: one build, one case, or the needed cases in the background.

A build takes ~20 s, so every case (see ``cases``) is built once per test
session by a ``BuildPool``, two builds at a time, and the tests of a case
read its DuckDB file read-only. Every build gets its own DuckDB file, target
and log folders, so builds never share state.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
# A guard against a hung process, never a speed check (speed is measured by
# bench/run_benchmark.py): on a busy 2-core machine a build that takes 20 s
# alone can take ten times as long, and must still pass.
HANG_GUARD_SECONDS = 1800
BUILD_TIMEOUT_SECONDS = HANG_GUARD_SECONDS
# Builds run two at a time: a build keeps about one of the two cores busy.
DBT_WORKERS = 2

# A case writes its inputs into input_dir and returns (dbt vars, info for the tests).
Case = Callable[[Path], tuple[dict, dict]]


def executable(name: str) -> str:
    """A command of the interpreter running the tests (the project's venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"no {name} executable next to the Python running the tests")
    return found


def dbt_executable() -> str:
    return executable("dbt")


@dataclass
class DbtBuild:
    """A finished `dbt build`: its exit code, its output and its DuckDB file."""

    name: str
    returncode: int
    output: str  # stdout then stderr
    db_path: Path
    work_dir: Path
    vars: dict
    info: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def export_dir(self) -> Path:
        """Where the build publishes its marts for BI (var export_dir)."""
        return Path(self.vars["export_dir"])

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        """The tail of the output, for assertion messages."""
        return f"dbt build '{self.name}' exited {self.returncode}:\n{self.output[-6000:]}"

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run sql on the build's DuckDB file, opened read-only."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        return self.query(f"select * from main.{name}")


def run_dbt_build(work_dir: Path, dbt_vars: dict | None, *, name: str = "build",
                  info: dict | None = None, db_path: Path | None = None,
                  project_dir: Path = PROJECT_DIR, selector: str | None = "auto",
                  select: str | None = None, env: dict | None = None,
                  extra_args: tuple[str, ...] = ()) -> DbtBuild:
    """`dbt build` from the project dir into ``work_dir``/seg.duckdb (or ``db_path``).

    Target and log paths live in ``work_dir`` too, so concurrent builds never
    share dbt's target/ folder, and the marts are published into
    ``work_dir``/exports unless the vars name an export_dir. The vars go in as
    JSON, which is YAML. With var mode 'score' the build uses the documented
    ``--selector score`` (selector="auto"); selector=None selects everything.
    ``select`` builds only those nodes (``--select``), as a partial rebuild.
    ``env`` adds environment variables (for example TZ).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = db_path or work_dir / "seg.duckdb"
    dbt_vars = {"export_dir": str(work_dir / "exports"), **(dbt_vars or {})}
    env = {
        **os.environ,
        "SEGMENTATION_DUCKDB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PRINTER_WIDTH": "120",
        **(env or {}),
    }
    # --no-write-json: no manifest.json / run_results.json (~3 s of CPU a build);
    # compiled SQL and the logs are still written.
    args = [
        dbt_executable(), "build", "--no-write-json",
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    args += ["--vars", json.dumps(dbt_vars)]
    if selector == "auto":
        selector = "score" if dbt_vars.get("mode") == "score" else None
    if selector:
        args += ["--selector", selector]
    if select:
        args += ["--select", select]
    args += list(extra_args)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            args, cwd=project_dir, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS,
        )
        returncode, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as timeout:
        returncode = -1
        output = f"(timed out after {BUILD_TIMEOUT_SECONDS} s)\n{timeout.stdout or ''}"
    return DbtBuild(name=name, returncode=returncode, output=output, db_path=db_path,
                    work_dir=work_dir, vars=dbt_vars, info=info or {},
                    seconds=time.monotonic() - started)


def build_case(name: str, prepare: Case, base_dir: Path) -> DbtBuild:
    """Prepare the inputs of case ``name`` under base_dir/name and build it."""
    work_dir = base_dir / name
    input_dir = work_dir / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    dbt_vars, info = prepare(input_dir)
    if not any(input_dir.iterdir()):
        input_dir.rmdir()
    return run_dbt_build(work_dir, dbt_vars, name=name, info=info,
                         project_dir=info.get("project_dir", PROJECT_DIR), env=info.get("env"))


class BuildPool:
    """Runs the needed `dbt build`s in the background, two at a time.

    ``names`` (the cases the selected tests use) are started at once, in the
    order given; ``result`` waits for one, and starts it if it was not.
    """

    def __init__(self, base_dir: Path, cases: Mapping[str, Case], names: list[str]):
        self._base_dir = base_dir
        self._cases = cases
        self._executor = ThreadPoolExecutor(max_workers=DBT_WORKERS,
                                            thread_name_prefix="dbt-build")
        self._futures: dict[str, Future] = {}
        for name in names:
            self._submit(name)

    def _submit(self, name: str) -> Future:
        if name not in self._futures:
            self._futures[name] = self._executor.submit(
                build_case, name, self._cases[name], self._base_dir)
        return self._futures[name]

    def result(self, name: str) -> DbtBuild:
        return self._submit(name).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no venv, builds or data) at ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in PROJECT_DIR.glob("*.yml"):  # dbt_project, profiles, selectors
        shutil.copy2(path, destination / path.name)
    for name in ("models", "macros", "seeds", "tests", "analyses", "snapshots"):
        if (PROJECT_DIR / name).is_dir():
            shutil.copytree(PROJECT_DIR / name, destination / name)
    return destination
