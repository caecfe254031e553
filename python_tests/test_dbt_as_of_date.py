"""var as_of_date: orders after it are left out of every feature.

Uses the dirty-export build (cases.messy_input.case_dirty), whose orders run to
2025-12-31 and which is segmented as of AS_OF_DATE.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cases.messy_input import AS_OF_DATE
from dbt_runner import DbtBuild

AS_OF = dt.date.fromisoformat(AS_OF_DATE)
RETURN_STATUSES = {"returned", "refunded", "cancelled", "canceled", "return", "refund"}


@pytest.fixture(scope="module")
def build(build_dirty) -> DbtBuild:
    assert build_dirty.succeeded, build_dirty.describe()
    return build_dirty


@pytest.fixture(scope="module")
def dim(build) -> pd.DataFrame:
    return build.table("dim_customer_segments")


def _text(value):
    return None if value is None or not value.strip() else value.strip()


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@pytest.fixture(scope="module")
def accepted_lines(build) -> pd.DataFrame:
    """The order lines the cleaning rules accept, worked out from the file in Python."""
    customers = set(build.info["clean_customers"]["customer_id"].to_pylist())
    rows = []
    for line in build.info["orders"].to_pylist():
        order_id, customer_id = _text(line["order_id"]), _text(line["customer_id"])
        order_date, amount = _date(_text(line["order_date"])), _number(_text(line["amount"]))
        if (order_id and customer_id in customers and order_date is not None
                and order_date <= dt.date.today() and amount is not None):
            status = (_text(line["status"]) or "completed").lower()
            rows.append((order_id, customer_id, order_date, amount, status))
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount",
                                       "status"])


def test_accepted_lines_agree_with_reconciliation(build, accepted_lines):
    reconciliation = build.table("input_reconciliation").set_index("source")
    assert reconciliation.loc["orders", "rows_accepted"] == len(accepted_lines)


def expected_metrics(lines: pd.DataFrame, customer_ids) -> pd.DataFrame:
    """frequency, monetary and last purchase per customer, from order lines up to AS_OF."""
    lines = lines[lines["order_date"] <= AS_OF]
    purchase = (lines["amount"] > 0) & ~lines["status"].isin(RETURN_STATUSES)
    purchases = lines[purchase]
    frame = pd.DataFrame({"customer_id": list(customer_ids)})
    ids = frame["customer_id"]
    frame["frequency"] = ids.map(purchases.groupby("customer_id")["order_id"].nunique())
    frame["frequency"] = frame["frequency"].fillna(0).astype(int)
    gross = ids.map(purchases.groupby("customer_id")["amount"].sum()).fillna(0.0)
    refunded = ids.map(-lines[lines["amount"] < 0].groupby("customer_id")["amount"].sum())
    frame["monetary"] = (gross - refunded.fillna(0.0)).clip(lower=0.0)
    frame["last_purchase_date"] = ids.map(purchases.groupby("customer_id")["order_date"].max())
    return frame


def test_as_of_date_is_the_var(build, dim):
    assert sorted({pd.Timestamp(d).date() for d in dim["as_of_date"]}) == [AS_OF]
    source = build.query("select as_of_date, as_of_date_source from int_as_of_date")
    assert source["as_of_date_source"].tolist() == ["var as_of_date"]
    assert pd.Timestamp(source["as_of_date"].iloc[0]).date() == AS_OF


def test_the_case_has_orders_after_as_of_date(accepted_lines):
    later = accepted_lines[accepted_lines["order_date"] > AS_OF]
    assert later["customer_id"].nunique() > 50


def test_nothing_is_measured_after_as_of_date(dim):
    assert dim["recency_days"].notna().all() and (dim["recency_days"] >= 0).all()
    # Tenure is unknown (null) for a customer with neither a signup date nor orders.
    for column in ("tenure_days", "purchase_cadence_days"):
        assert (dim[column].dropna() >= 0).all(), column
    for column in ("last_purchase_date", "first_purchase_date"):
        assert (pd.to_datetime(dim[column].dropna()).dt.date <= AS_OF).all(), column


def test_frequency_counts_only_orders_up_to_as_of_date(dim, accepted_lines):
    expected = expected_metrics(accepted_lines, dim["customer_id"])
    joined = expected.merge(dim, on="customer_id", suffixes=("_expected", "_dim"))
    wrong = joined[joined["frequency_expected"] != joined["frequency_dim"]]
    assert wrong.empty, wrong[["customer_id", "frequency_expected", "frequency_dim"]]
    # Leaving later orders out matters: many customers ordered again after AS_OF.
    all_time = accepted_lines.groupby("customer_id")["order_id"].nunique()
    assert (joined["customer_id"].map(all_time).fillna(0) > joined["frequency_dim"]).sum() > 50


def test_monetary_counts_only_orders_up_to_as_of_date(dim, accepted_lines):
    expected = expected_metrics(accepted_lines, dim["customer_id"])
    joined = expected.merge(dim, on="customer_id", suffixes=("_expected", "_dim"))
    np.testing.assert_allclose(joined["monetary_dim"], joined["monetary_expected"],
                               rtol=0, atol=0.0051)


def test_recency_is_days_from_last_purchase_to_as_of_date(dim, accepted_lines):
    expected = expected_metrics(accepted_lines, dim["customer_id"])
    joined = expected.merge(dim, on="customer_id", suffixes=("_expected", "_dim"))
    buyers = joined[joined["last_purchase_date_expected"].notna()]
    assert len(buyers) > 100
    assert (pd.to_datetime(buyers["last_purchase_date_dim"]).dt.date
            == buyers["last_purchase_date_expected"]).all()
    days = buyers["last_purchase_date_expected"].map(lambda d: (AS_OF - d).days)
    assert (buyers["recency_days"] == days).all()


def test_zoned_order_times_are_dated_in_utc_whatever_the_machine_zone(build_zoned_timestamps):
    """Every order at 23:30 UTC, built with TZ=Asia/Tokyo (already the next
    day there): the order dates, and so as_of_date, are the UTC dates, as on
    any other machine (profiles.yml pins DuckDB's TimeZone)."""
    build = build_zoned_timestamps
    assert build.succeeded, build.describe()
    dim = build.table("dim_customer_segments").set_index("customer_id")
    expected = build.info["last_purchase_dates"]
    actual = {customer_id: pd.Timestamp(day).date()
              for customer_id, day in dim["last_purchase_date"].items()}
    assert actual == expected
    assert {pd.Timestamp(day).date() for day in dim["as_of_date"]} == {max(expected.values())}


def test_future_means_after_the_machines_local_today(build_local_today):
    """DuckDB's session zone is UTC, but an order dated the machine's local
    today is accepted and one dated its tomorrow is quarantined as future."""
    build = build_local_today
    assert build.succeeded, build.describe()
    today = build.info["today"]
    quarantined = build.query(
        "select source_row_number, rejection_reason from quarantined_rows where source = 'orders'")
    assert quarantined.to_dict("records") == [
        {"source_row_number": 60, "rejection_reason": "order_date in the future"}], today
    as_of = build.query("select as_of_date from int_as_of_date")["as_of_date"].iloc[0]
    assert pd.Timestamp(as_of).date() == today
