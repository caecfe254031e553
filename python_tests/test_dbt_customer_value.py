"""The customer-value layer in the build (issue 18): customer_value, its
backtest and model marts, and their use in segment_profiles and
customers_at_risk, on realistic data and on data that cannot support a fit."""

import json
import os
import shutil
import subprocess

import duckdb
import numpy as np
import pytest

from build_checks import require_success
from dbt_runner import PROJECT_DIR, dbt_executable
from segmentation.value import score_customers

VALUE_COLUMNS = ["probability_alive", "expected_purchases_90d", "expected_purchases_365d",
                 "expected_average_value", "predicted_value_12m", "value_at_risk"]


def test_every_buyer_is_scored_with_sensible_values(build_realistic_shop):
    build = build_realistic_shop
    require_success(build)
    value = build.table("customer_value")
    dim = build.table("dim_customer_segments")
    assert sorted(value["customer_id"]) == sorted(dim["customer_id"])
    model = build.table("customer_value_model").set_index("purpose")
    assert model.loc["score", "status"] == "fitted", model.loc["score", "reason"]

    buyers = value[value["repeat_purchases"].notna()]
    assert (buyers["value_basis"] == "model").all()
    # One-time buyers get the model's values, not nulls.
    assert buyers[VALUE_COLUMNS].notna().all().all()
    assert (buyers["repeat_purchases"] == 0).sum() > len(buyers) / 2
    assert buyers["probability_alive"].between(0, 1).all()
    # In BG/NBD dropout follows a purchase: no repeat purchase, still alive.
    assert (buyers.loc[buyers["repeat_purchases"] == 0, "probability_alive"] == 1).all()
    assert (buyers[VALUE_COLUMNS] >= 0).all().all()
    assert (buyers["expected_purchases_90d"] <= buyers["expected_purchases_365d"]).all()
    # Value at risk is what is lost if gone: (1 - p) x the value of an active customer.
    # The mart rounds predicted_value_12m to cents, so dividing by p scales
    # that half-cent by (1 - p) / p.
    alive = buyers[buyers["probability_alive"] > 0.01]
    odds_against = (1 - alive["probability_alive"]) / alive["probability_alive"]
    error = (alive["value_at_risk"] - odds_against * alive["predicted_value_12m"]).abs()
    assert (error <= 0.006 + 0.005 * odds_against * 1.01).all()

    never = value[value["repeat_purchases"].isna()]
    assert len(never) > 0
    assert (never["value_basis"] == "no purchase yet").all()
    assert never[VALUE_COLUMNS].isna().all().all()


def test_the_sql_scores_equal_the_python_reference(build_realistic_shop):
    """The build scores in SQL (closed forms times the purchase curves, one
    per distinct pair); segmentation.value.score_customers is the same in
    Python: the mart's rounded columns must be exactly its rounded values."""
    build = build_realistic_shop
    row = build.query("select * from ml_customer_value_model where purpose = 'score'").iloc[0]
    summary = build.query(
        "select summary.*, value.probability_alive, value.expected_purchases_90d, "
        "value.expected_purchases_365d, value.expected_average_value, "
        "value.predicted_value_12m, dim.gross_revenue, dim.refunded_amount "
        "from int_customer_value_summary as summary "
        "inner join int_customers_cleaned as customers using (customer_key) "
        "inner join customer_value as value using (customer_id) "
        "inner join dim_customer_segments as dim using (customer_id)")
    assert summary["frequency"].nunique() * summary["age_days"].nunique() > len(
        build.table("ml_customer_value_curves"))
    reference = score_customers(
        row.to_dict(), summary["frequency"], summary["recency_weeks"], summary["age_weeks"],
        summary["average_repeat_value"].astype("float64"),
        annual_discount_rate=0.1)  # var value_discount_rate's default
    for column, digits in [("probability_alive", 6), ("expected_purchases_90d", 4),
                           ("expected_purchases_365d", 4), ("expected_average_value", 2)]:
        np.testing.assert_allclose(summary[column], np.round(reference[column], digits),
                                   atol=10.0 ** -digits, err_msg=column)
    # Net of returns: the share of what the customer paid that was not refunded.
    kept_share = np.clip(1 - summary["refunded_amount"].astype(float)
                         / summary["gross_revenue"].astype(float), 0, 1)
    np.testing.assert_allclose(
        summary["predicted_value_12m"],
        np.round(reference["predicted_value_12m"] * kept_share, 2), atol=0.01)


def test_among_equal_histories_the_longer_silence_is_less_alive(build_realistic_shop):
    value = build_realistic_shop.query(
        "select repeat_purchases, age_weeks - recency_weeks as silence_weeks, probability_alive "
        "from customer_value where repeat_purchases between 2 and 4")
    for _, group in value.groupby("repeat_purchases"):
        recent = group[group["silence_weeks"] < 8]["probability_alive"].mean()
        silent = group[group["silence_weeks"] > 52]["probability_alive"].mean()
        assert recent > silent + 0.2, (recent, silent)


def test_the_backtest_tracks_the_holdout_and_ranks_customers(build_realistic_shop):
    build = build_realistic_shop
    backtest = build.table("customer_value_backtest")
    weekly = build.table("customer_value_backtest_weekly").sort_values("holdout_week")
    calibration = build.table("customer_value_backtest_calibration")
    assert len(backtest) > 1000
    assert (backtest["calibration_end"] < backtest["as_of_date"]).all()
    assert weekly["holdout_week"].tolist() == list(range(1, 27))
    assert weekly["holdout_days"].iloc[-1] == 182
    assert weekly["actual_cumulative_purchases"].is_monotonic_increasing
    assert weekly["expected_cumulative_purchases"].is_monotonic_increasing
    # The whole holdout: the weekly curve ends at the per-customer totals.
    last = weekly.iloc[-1]
    assert last["actual_cumulative_purchases"] == backtest["actual_holdout_purchases"].sum()
    assert last["expected_cumulative_purchases"] == pytest.approx(
        backtest["predicted_holdout_purchases"].sum(), rel=1e-3)
    assert abs(last["relative_error"]) < 0.15, weekly.tail(3)
    # The calibration groups partition the backtest customers.
    assert calibration["customers"].sum() == len(backtest)
    assert sorted(calibration["calibration_repeat_purchases"]) == list(range(8))
    labels = calibration.set_index("calibration_repeat_purchases")
    assert labels.loc[7, "calibration_repeat_purchases_label"] == "7+"
    # What a marketer relies on: the customers predicted to buy most do.
    ranked = backtest.sort_values("predicted_holdout_purchases", ascending=False)
    top = ranked.head(len(ranked) // 10)["actual_holdout_purchases"].mean()
    bottom = ranked.tail(len(ranked) // 2)["actual_holdout_purchases"].mean()
    assert top > 5 * bottom, (top, bottom)


def test_the_demo_backtest_tracks_the_holdout_within_ten_percent(build_demo_a):
    """The issue's measure on the data a new user sees first: the demo seeds'
    personas buy as BG/NBD processes with their own rates and dropouts, and the
    refitted model tracks their cumulative holdout purchases within 10%, as
    docs/methods.md reports (a mixture of personas is not one Gamma and one
    Beta, so this can fail if the demo drifts from what customers do)."""
    weekly = build_demo_a.table("customer_value_backtest_weekly").sort_values("holdout_week")
    assert weekly["holdout_week"].tolist() == list(range(1, 27))
    assert weekly["relative_error"].iloc[-1] == pytest.approx(
        weekly["expected_cumulative_purchases"].iloc[-1]
        / weekly["actual_cumulative_purchases"].iloc[-1] - 1, abs=1e-4)
    # Not only at the end: every week of the holdout is within 10%.
    assert (weekly["relative_error"].abs() < 0.10).all(), weekly


def test_segments_and_the_retention_list_use_the_values(build_realistic_shop):
    build = build_realistic_shop
    profiles = build.table("segment_profiles").set_index("segment_id")
    per_segment = build.query(
        "select segment_id, sum(predicted_value_12m) as total, sum(value_at_risk) as at_risk, "
        "count(*) as customers from customer_value "
        "inner join dim_customer_segments using (customer_id) "
        "group by segment_id").set_index("segment_id")
    for segment_id, row in per_segment.iterrows():
        if np.isnan(row["total"]):
            assert np.isnan(profiles.loc[segment_id, "predicted_value_12m"])
            continue
        assert profiles.loc[segment_id, "predicted_value_12m"] == pytest.approx(
            row["total"], abs=0.05)
        assert profiles.loc[segment_id, "value_at_risk"] == pytest.approx(row["at_risk"], abs=0.05)
        assert profiles.loc[segment_id, "predicted_value_12m_per_customer"] == pytest.approx(
            row["total"] / row["customers"], abs=0.01)
    at_risk = build.table("customers_at_risk").sort_values("risk_rank")
    assert len(at_risk) > 0
    value = build.table("customer_value").set_index("customer_id")
    np.testing.assert_allclose(at_risk["value_at_risk"],
                               value.loc[at_risk["customer_id"], "value_at_risk"])
    assert at_risk["value_at_risk"].is_monotonic_decreasing


def test_too_few_repeat_buyers_leave_values_empty_with_the_reason(build_few_repeat_buyers):
    build = build_few_repeat_buyers
    require_success(build)
    model = build.table("customer_value_model").set_index("purpose")
    assert (model["status"] == "not_fitted").all()
    assert "repeat buyers" in model.loc["score", "reason"]
    assert model[["r", "alpha", "a", "b", "p", "q", "gamma"]].isna().all().all()
    value = build.table("customer_value")
    assert len(value) == len(build.table("dim_customer_segments"))
    buyers = value[value["repeat_purchases"].notna()]
    assert (buyers["value_basis"] == "no model: " + model.loc["score", "reason"]).all()
    assert value[VALUE_COLUMNS].isna().all().all()
    for mart in ("customer_value_backtest", "customer_value_backtest_weekly",
                 "customer_value_backtest_calibration"):
        assert build.table(mart).empty, mart
    # The segments are there, and the retention list falls back to revenue at stake.
    assert build.table("segment_profiles")["predicted_value_12m"].isna().all()
    at_risk = build.table("customers_at_risk").sort_values("risk_rank")
    assert at_risk["revenue_at_stake_per_year"].is_monotonic_decreasing


def test_a_history_shorter_than_the_holdout_scores_but_skips_the_backtest(
        build_short_history_shop):
    build = build_short_history_shop
    require_success(build)
    model = build.table("customer_value_model").set_index("purpose")
    assert model.loc["score", "status"] == "fitted", model.loc["score", "reason"]
    assert model.loc["backtest", "status"] == "not_fitted"
    assert "value_holdout_days" in model.loc["backtest", "reason"]
    assert build.table("customer_value_backtest").empty
    value = build.table("customer_value")
    assert (value.loc[value["repeat_purchases"].notna(), "value_basis"] == "model").all()


def test_score_mode_scores_with_the_stored_value_model(build_history_demo):
    """The history case's last build is in score mode: the value model is the
    one of the last fit (its window ends before this build's as_of_date) and
    every buyer is scored with it as of today."""
    build = build_history_demo
    require_success(build)
    model = build.table("customer_value_model").set_index("purpose")
    assert model.loc["score", "status"] == "fitted"
    assert str(model.loc["score", "window_end_date"])[:10] == "2025-09-30"
    value = build.table("customer_value")
    assert (value["as_of_date"].astype(str).str[:10] == "2025-12-31").all()
    buyers = value[value["repeat_purchases"].notna()]
    assert (buyers["value_basis"] == "model").all()
    assert buyers["probability_alive"].between(0, 1).all()


def test_the_value_checks_fail_on_impossible_values_and_name_them(build_realistic_shop,
                                                                 tmp_path):
    """customer_value's row checks run as one test (expressions_are_true): a
    probability above 1 and a negative value at risk must fail it, and the
    stored failures must say which check each row missed."""
    build = build_realistic_shop
    require_success(build)
    db_path = tmp_path / "tampered.duckdb"
    shutil.copy(build.db_path, db_path)
    with duckdb.connect(str(db_path)) as con:
        first, second = (row[0] for row in con.execute(
            "select customer_id from customer_value where value_basis = 'model' "
            "order by customer_id limit 2").fetchall())
        con.execute("update customer_value set probability_alive = 1.5 where customer_id = ?",
                    [first])
        con.execute("update customer_value set value_at_risk = -3 where customer_id = ?",
                    [second])
    env = {**os.environ, "SEGMENTATION_DUCKDB_PATH": str(db_path),
           "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [dbt_executable(), "test", "--select", "customer_value,test_name:expressions_are_true",
         "--store-failures", "--vars", json.dumps(build.vars),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "Got 2 results" in completed.stdout, completed.stdout[-3000:]
    with duckdb.connect(str(db_path), read_only=True) as con:
        (table,) = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_name like 'expressions_are_true_customer%'").fetchone()
        failed = dict(con.execute(f"select customer_id, failed_checks from {table}").fetchall())
    assert failed == {first: "probability_alive_in_0_1; ", second: "value_at_risk_not_negative; "}
