"""Shared pytest fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from build_checks import OLD_DUCKDB_VERSION
from cases import CASES
from dbt_runner import BuildPool, DbtBuild
from segmentation.demo.personas import generate_company_with_personas

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


@pytest.fixture(scope="session", autouse=True)
def dbt_pool(request, tmp_path_factory):
    """Starts every dbt build the selected tests need, at the start of the session,
    so they run while the package tests do; each dbt test waits for its own."""
    pool = BuildPool(tmp_path_factory.mktemp("dbt"), CASES, request.config.stash[_NEEDED_BUILDS])
    yield pool
    pool.close()


def _build_fixture(case: str):
    @pytest.fixture(scope="session", name=f"build_{case}")
    def fixture(dbt_pool) -> DbtBuild:
        return dbt_pool.result(case)

    fixture.__doc__ = f"The finished dbt build of case '{case}' (see cases.CASES)."
    return fixture


# One session-scoped fixture per case: build_planted_customers, build_dirty, ...
for _case in CASES:
    globals()[f"_build_{_case}"] = _build_fixture(_case)
