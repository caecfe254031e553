"""Shared pytest fixtures: generated data, an old DuckDB, and one fixture per dbt build.

Every case of ``cases.CASES`` has a session fixture ``build_<case>``, written
out below as a plain function (so a grep for the fixture finds it), that
returns the case's finished ``DbtBuild``. Only the cases the selected tests use are
built, two at a time in the background, while the tests that need no build
run first (``pytest_collection_modifyitems``, ``dbt_pool``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from build_checks import OLD_DUCKDB_VERSION
from cases import CASES
from dbt_runner import HANG_GUARD_SECONDS, BuildPool, DbtBuild
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
        capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, stdin=subprocess.DEVNULL)
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


# --------------------------------------------------------------------------- one fixture per case
# build_<case>: the finished DbtBuild of CASES["<case>"], grouped by the module
# the case is in. A new case needs its fixture here (checked at the end).

# cases.planted
@pytest.fixture(scope="session")
def build_planted_customers(dbt_pool) -> DbtBuild:
    return dbt_pool.result("planted_customers")


@pytest.fixture(scope="session")
def build_planted_company(dbt_pool) -> DbtBuild:
    return dbt_pool.result("planted_company")


@pytest.fixture(scope="session")
def build_planted_company_hierarchical(dbt_pool) -> DbtBuild:
    return dbt_pool.result("planted_company_hierarchical")


# cases.demo_seeds
@pytest.fixture(scope="session")
def build_demo_a(dbt_pool) -> DbtBuild:
    return dbt_pool.result("demo_a")


@pytest.fixture(scope="session")
def build_demo_b(dbt_pool) -> DbtBuild:
    return dbt_pool.result("demo_b")


@pytest.fixture(scope="session")
def build_demo_mixed(dbt_pool) -> DbtBuild:
    return dbt_pool.result("demo_mixed")


@pytest.fixture(scope="session")
def build_demo_category_mix(dbt_pool) -> DbtBuild:
    return dbt_pool.result("demo_category_mix")


# cases.realistic_shops
@pytest.fixture(scope="session")
def build_realistic_shop(dbt_pool) -> DbtBuild:
    return dbt_pool.result("realistic_shop")


@pytest.fixture(scope="session")
def build_single_cohort_shop(dbt_pool) -> DbtBuild:
    return dbt_pool.result("single_cohort_shop")


@pytest.fixture(scope="session")
def build_few_repeat_buyers(dbt_pool) -> DbtBuild:
    return dbt_pool.result("few_repeat_buyers")


@pytest.fixture(scope="session")
def build_short_history_shop(dbt_pool) -> DbtBuild:
    return dbt_pool.result("short_history_shop")


# cases.warehouse_tables
@pytest.fixture(scope="session")
def build_realistic_shop_tables(dbt_pool) -> DbtBuild:
    return dbt_pool.result("realistic_shop_tables")


@pytest.fixture(scope="session")
def build_planted_customers_table(dbt_pool) -> DbtBuild:
    return dbt_pool.result("planted_customers_table")


# cases.messy_input
@pytest.fixture(scope="session")
def build_dirty(dbt_pool) -> DbtBuild:
    return dbt_pool.result("dirty")


@pytest.fixture(scope="session")
def build_no_orders(dbt_pool) -> DbtBuild:
    return dbt_pool.result("no_orders")


@pytest.fixture(scope="session")
def build_set_aside_quantities(dbt_pool) -> DbtBuild:
    return dbt_pool.result("set_aside_quantities")


@pytest.fixture(scope="session")
def build_mixed_spellings(dbt_pool) -> DbtBuild:
    return dbt_pool.result("mixed_spellings")


@pytest.fixture(scope="session")
def build_zoned_timestamps(dbt_pool) -> DbtBuild:
    return dbt_pool.result("zoned_timestamps")


@pytest.fixture(scope="session")
def build_unmatched_order_ids(dbt_pool) -> DbtBuild:
    return dbt_pool.result("unmatched_order_ids")


@pytest.fixture(scope="session")
def build_latin1_csv(dbt_pool) -> DbtBuild:
    return dbt_pool.result("latin1_csv")


@pytest.fixture(scope="session")
def build_local_today(dbt_pool) -> DbtBuild:
    return dbt_pool.result("local_today")


# cases.bad_input
@pytest.fixture(scope="session")
def build_fail_no_variance(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_no_variance")


@pytest.fixture(scope="session")
def build_fail_missing_customers(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_missing_customers")


@pytest.fixture(scope="session")
def build_fail_missing_amount(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_missing_amount")


@pytest.fixture(scope="session")
def build_fail_unknown_feature(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_unknown_feature")


@pytest.fixture(scope="session")
def build_fail_column_map(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_column_map")


@pytest.fixture(scope="session")
def build_fail_unknown_method(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_unknown_method")


@pytest.fixture(scope="session")
def build_fail_published_history_runs(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_published_history_runs")


@pytest.fixture(scope="session")
def build_fail_day_month_dates(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_day_month_dates")


@pytest.fixture(scope="session")
def build_fail_currency_amounts(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_currency_amounts")


@pytest.fixture(scope="session")
def build_fail_csv_encoding(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_csv_encoding")


@pytest.fixture(scope="session")
def build_fail_too_few_customers(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_too_few_customers")


@pytest.fixture(scope="session")
def build_fail_no_completed_purchase(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_no_completed_purchase")


# cases.hostile
@pytest.fixture(scope="session")
def build_hostile_shop(dbt_pool) -> DbtBuild:
    return dbt_pool.result("hostile_shop")


@pytest.fixture(scope="session")
def build_fail_empty_customers_file(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_empty_customers_file")


@pytest.fixture(scope="session")
def build_fail_corrupt_parquet(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_corrupt_parquet")


@pytest.fixture(scope="session")
def build_fail_one_accepted_customer(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_one_accepted_customer")


@pytest.fixture(scope="session")
def build_fail_as_of_date_before_data(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_as_of_date_before_data")


# cases.publication
@pytest.fixture(scope="session")
def build_fail_mart_test(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_mart_test")


@pytest.fixture(scope="session")
def build_fail_model_outside_the_marts(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_model_outside_the_marts")


# cases.history
@pytest.fixture(scope="session")
def build_history_demo(dbt_pool) -> DbtBuild:
    return dbt_pool.result("history_demo")


@pytest.fixture(scope="session")
def build_history_planted(dbt_pool) -> DbtBuild:
    return dbt_pool.result("history_planted")


@pytest.fixture(scope="session")
def build_score_planted_customers(dbt_pool) -> DbtBuild:
    return dbt_pool.result("score_planted_customers")


@pytest.fixture(scope="session")
def build_fail_score_after_interrupted_fit(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_score_after_interrupted_fit")


@pytest.fixture(scope="session")
def build_fail_score_after_scaling_rebuilt(dbt_pool) -> DbtBuild:
    return dbt_pool.result("fail_score_after_scaling_rebuilt")


# A case without its fixture (or a fixture without its case) stops the session here.
_FIXTURE_CASES = {name.removeprefix("build_") for name in list(globals())
                  if name.startswith("build_")}
if _FIXTURE_CASES != set(CASES):
    raise RuntimeError("conftest.py needs one build_<case> fixture per case of cases.CASES; "
                       f"these differ: {sorted(_FIXTURE_CASES ^ set(CASES))}")
