"""Inputs that cannot be segmented stop the build with one clear message."""

from __future__ import annotations

import pytest
import yaml

from dbt_runner import PROJECT_DIR, DbtBuild


def fit_tagged_models() -> list[str]:
    """The models of models/ml/fit/, which dbt_project.yml tags fit: the
    stored model a score run uses."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert "fit" in project["models"]["customer_segmentation"]["ml"]["fit"]["+tags"]
    names = sorted(path.stem for path in (PROJECT_DIR / "models" / "ml" / "fit").iterdir()
                   if path.suffix in (".sql", ".py"))
    assert "ml_feature_scaling" in names and "ml_fit_run" in names, names
    return names


def assert_fails_cleanly(build: DbtBuild, *fragments: str) -> None:
    assert build.returncode not in (0, -1), build.describe()
    for fragment in fragments:
        assert fragment in build.output, f"{fragment!r} not in the output\n{build.describe()}"
    assert "Traceback" not in build.output, build.describe()


def test_missing_customers_file_names_the_folder(build_fail_missing_customers):
    build = build_fail_missing_customers
    assert_fails_cleanly(build, "No customers file in", build.vars["input_dir"],
                         "customers.csv or customers.parquet")


def test_missing_required_order_column_names_file_and_column(build_fail_missing_amount):
    build = build_fail_missing_amount
    assert_fails_cleanly(build, str(build.info["orders_path"]),
                         "missing required column 'amount'")


def test_unknown_feature_is_named(build_fail_unknown_feature):
    assert_fails_cleanly(build_fail_unknown_feature,
                         "unknown feature 'loyalty_points'", "Known features:")


def test_unknown_primary_method_is_named(build_fail_unknown_method):
    assert_fails_cleanly(build_fail_unknown_method, 'var primary_method = "k-means"',
                         "kmeans, hierarchical, gmm, dbscan, kprototypes")


def test_published_history_runs_must_be_a_number_of_runs(build_fail_published_history_runs):
    assert_fails_cleanly(build_fail_published_history_runs, "var published_history_runs = 0",
                         "at least 1")


@pytest.mark.parametrize("case, fragments", [
    # Dates written 31/12/2024: the fix is var date_formats.
    ("fail_day_month_dates", ["unparseable order_date",
                              "data row 1 with order_date '01/01/2024'", "var date_formats"]),
    # Amounts written $10.00, with signup dates that alone could be clustered:
    # the build stops rather than segment on them.
    ("fail_currency_amounts", ["non-numeric amount", "data row 1 with amount '$10.00'",
                               "no currency symbol"]),
])
def test_an_orders_file_with_every_row_rejected_stops_the_build(
        build_fail_day_month_dates, build_fail_currency_amounts, case, fragments):
    """One error naming the file, the reason, the first such row and the fix;
    the reconciliation's warning test fires too. (Both builds are named as
    arguments, so the session starts them in the background.)"""
    build = {"fail_day_month_dates": build_fail_day_month_dates,
             "fail_currency_amounts": build_fail_currency_amounts}[case]
    # It stops before any fit-tagged model, so the stored model of the last
    # fit (what `mode: score` uses) is never half replaced.
    built = [line for line in build.output.splitlines() if "OK created" in line]
    for name in fit_tagged_models():
        assert not any(f"main.{name} " in line for line in built), (name, build.describe())
    assert_fails_cleanly(build,
                         f"Every one of the 60 rows of {build.info['orders_path']} was rejected",
                         *fragments)
    assert build.output.count("Error in model") == 1, build.describe()
    assert "WARN 1 input_reconciliation_at_most_half_of_each_input_quarantined" in build.output, (
        build.describe())


def test_column_map_naming_an_absent_column(build_fail_column_map):
    build = build_fail_column_map
    assert_fails_cleanly(build, "Yearly Income", "has no column",
                         f"{build.vars['input_dir']}/customers.csv")


def test_fewer_customers_than_clusters(build_fail_too_few_customers):
    build = build_fail_too_few_customers
    assert_fails_cleanly(build, str(build.info["customers_path"]), "has 3 rows",
                         "fewer than the 5 clusters")


def test_no_completed_purchase_names_the_cause(build_fail_no_completed_purchase):
    # Not "no clustering feature has any variance": the customers without a
    # completed purchase are the No Purchase Yet group, and nobody is left.
    build = build_fail_no_completed_purchase
    assert_fails_cleanly(build, "Only 0 of the 40 customers have a completed purchase",
                         str(build.info["orders_path"]), "var cancel_statuses")


def test_explicit_feature_without_variance_is_named(build_fail_no_variance):
    assert_fails_cleanly(build_fail_no_variance, "Feature 'spending_score'", "no variance")


def test_an_unknown_csv_encoding_lists_the_ones_read(build_fail_csv_encoding):
    assert_fails_cleanly(build_fail_csv_encoding, 'var csv_encoding = "cp1252"',
                         "utf-8, utf-16, latin-1")


def test_a_latin1_csv_is_read_with_var_csv_encoding(build_latin1_csv):
    build = build_latin1_csv
    assert build.succeeded, build.describe()
    countries = set(build.query("select distinct country from dim_customer_segments")["country"])
    assert countries == build.info["countries"]


INPUT_ERROR_CASES = ["fail_missing_customers", "fail_missing_amount", "fail_unknown_feature",
                     "fail_column_map", "fail_too_few_customers", "fail_unknown_method",
                     "fail_published_history_runs", "fail_csv_encoding"]


@pytest.fixture(params=INPUT_ERROR_CASES)
def build_input_error(request) -> DbtBuild:
    """Each build that on-run-start must stop (named build_* so it is ordered with them)."""
    return request.getfixturevalue(f"build_{request.param}")


def test_input_errors_stop_before_any_model(build_input_error):
    """Checked in on-run-start: no model runs, so the failure is fast."""
    build = build_input_error
    assert build.returncode != 0, build.describe()
    assert "on-run-start" in build.output, build.describe()
    assert "OK created" not in build.output, build.describe()


@pytest.mark.parametrize("typo, meant", [("input_dri", "input_dir"), ("nclusters", "n_clusters")])
def test_a_misspelled_var_stops_the_build_naming_the_closest_var(tmp_path, typo, meant):
    """dbt ignores a var nobody reads: input_dri would segment the demo company."""
    from dbt_runner import run_dbt_build

    build = run_dbt_build(tmp_path, {typo: "data/shop"}, name="typo")
    assert_fails_cleanly(build, f"var {typo} is not a var of this project; did you mean {meant}?")
    assert "OK created" not in build.output, build.describe()


def test_an_unrelated_var_name_gets_no_guess(tmp_path):
    from dbt_runner import run_dbt_build

    build = run_dbt_build(tmp_path, {"zzz": 1}, name="unknown")
    assert_fails_cleanly(build, "var zzz is not a var of this project. The vars and their")


def test_the_log_says_what_is_read_and_where_it_is_written(build_demo_a, build_planted_customers):
    demo = build_demo_a
    assert "Reading the demo company shipped as seeds" in demo.output, demo.describe()
    assert (f"Writing to {demo.db_path}, which has no recorded run yet: this build starts "
            "its history; publishing the marts into ") in demo.output, demo.describe()
    files = build_planted_customers
    assert f"Reading customers from {files.vars['input_dir']}/customers.csv" in files.output
    assert "Reading the demo company" not in files.output
