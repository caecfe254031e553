"""Shared pytest fixtures."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from dbt_helpers import CASES, OLD_DUCKDB_VERSION, DbtBuild, build_case
from segmentation.demo.personas import generate_company_with_personas

# Builds run two at a time: a build keeps about one of the two cores busy.
DBT_WORKERS = 2
_NEEDED_BUILDS = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def demo_company():
    """(customers, orders, persona) for 2,000 synthetic customers, seed 7."""
    return generate_company_with_personas(2_000, random_state=7)


@pytest.fixture(scope="session")
def old_duckdb(tmp_path_factory) -> Path:
    """A folder holding DuckDB OLD_DUCKDB_VERSION, for a subprocess's PYTHONPATH.

    Installed from the package index once per session (about 20 MB); the test
    is skipped when the index cannot be reached.
    """
    target = tmp_path_factory.mktemp(f"duckdb-{OLD_DUCKDB_VERSION}")
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary", ":all:", "--target", str(target),
         f"duckdb=={OLD_DUCKDB_VERSION}"],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        pytest.skip(f"cannot install duckdb=={OLD_DUCKDB_VERSION}: {completed.stderr[-500:]}")
    return target


# --------------------------------------------------------------------------- dbt builds


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Remember which dbt cases the selected tests use, so only those are built."""
    used = {name for item in items for name in getattr(item, "fixturenames", ())}
    config.stash[_NEEDED_BUILDS] = [case for case in CASES if f"build_{case}" in used]

    # Tests that need no build run first, while the builds run in the background.
    def needs_build(item) -> bool:
        return any(name.startswith("build_") for name in getattr(item, "fixturenames", ()))

    items.sort(key=needs_build)  # stable: file order is kept within each group


class BuildPool:
    """Runs the needed `dbt build`s in the background, two at a time."""

    def __init__(self, base_dir: Path, names: list[str]):
        self._base_dir = base_dir
        self._executor = ThreadPoolExecutor(max_workers=DBT_WORKERS,
                                            thread_name_prefix="dbt-build")
        self._futures: dict[str, Future] = {}
        for name in names:
            self._submit(name)

    def _submit(self, name: str) -> Future:
        if name not in self._futures:
            self._futures[name] = self._executor.submit(build_case, name, self._base_dir)
        return self._futures[name]

    def result(self, name: str) -> DbtBuild:
        return self._submit(name).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session", autouse=True)
def dbt_pool(request, tmp_path_factory):
    """Starts every dbt build the selected tests need, at the start of the session,
    so they run while the package tests do; each dbt test waits for its own."""
    pool = BuildPool(tmp_path_factory.mktemp("dbt"), request.config.stash[_NEEDED_BUILDS])
    yield pool
    pool.close()


def _build_fixture(case: str):
    @pytest.fixture(scope="session", name=f"build_{case}")
    def fixture(dbt_pool) -> DbtBuild:
        return dbt_pool.result(case)

    fixture.__doc__ = f"The finished dbt build of case '{case}' (see dbt_helpers.CASES)."
    return fixture


# One session-scoped fixture per case: build_planted_customers, build_dirty, ...
for _case in CASES:
    globals()[f"_build_{_case}"] = _build_fixture(_case)
