"""The realistic shop generator: no planted segments, but a real shop's shape.

Figures are computed from the tables with pandas, as a user would: an order is
its lines grouped by order_id; revenue is the positive amounts of
non-cancelled lines minus refunds (the negative amounts of returned lines).
"""

import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from segmentation.demo import files
from segmentation.demo.personas import generate_company
from segmentation.demo.realistic_shop import generate_realistic_shop
from segmentation.demo.tables import CATEGORIES, STATUSES

N_CUSTOMERS = 20_000
END_DATE = pd.Timestamp("2025-12-31")
START_DATE = pd.Timestamp("2023-01-01")


@pytest.fixture(scope="module")
def shop():
    """(customers, orders) Arrow tables for 20,000 customers, seed 7."""
    return generate_realistic_shop(N_CUSTOMERS, random_state=7)


@pytest.fixture(scope="module")
def orders(shop):
    """One row per order: customer_id, order_date, status, amount (sum of lines), lines."""
    lines = shop[1].to_pandas()
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    return lines.groupby("order_id", sort=True).agg(
        customer_id=("customer_id", "first"), order_date=("order_date", "first"),
        status=("status", "first"), amount=("amount", "sum"), lines=("amount", "size"))


@pytest.fixture(scope="module")
def per_customer(shop, orders):
    """One row per customer: order counts by status and net revenue."""
    counts = pd.crosstab(orders["customer_id"], orders["status"]).reindex(
        columns=list(STATUSES), fill_value=0)
    counts["revenue"] = orders[orders["status"] != "cancelled"].groupby(
        "customer_id")["amount"].sum()
    ids = shop[0]["customer_id"].to_pylist()
    return counts.reindex(ids).fillna(0)


def buyers(per_customer):
    """Customers with at least one order that was not cancelled."""
    return per_customer[per_customer["completed"] + per_customer["returned"] > 0]


def test_schema_matches_generate_company(shop):
    customers, orders = shop
    assert orders.schema.equals(generate_company(50, random_state=1)[1].schema)
    assert customers.schema.equals(pa.schema([
        ("customer_id", pa.string()), ("signup_date", pa.date32()), ("age", pa.int32()),
        ("gender", pa.string()), ("country", pa.string())]))
    assert customers.num_rows == N_CUSTOMERS
    ids = customers["customer_id"].to_pylist()
    assert ids == sorted(ids) and len(set(ids)) == N_CUSTOMERS and ids[0] == "000001"
    assert set(orders["customer_id"].to_pylist()) <= set(ids)
    # Signup order: customer numbers follow signup dates.
    signup = customers["signup_date"].to_pandas()
    assert signup.is_monotonic_increasing
    assert 0 < customers["age"].null_count < 0.1 * N_CUSTOMERS


def test_order_lines_share_order_attributes(shop, orders):
    lines = shop[1].to_pandas()
    shared = lines.groupby("order_id")[["customer_id", "order_date", "status"]].nunique()
    assert (shared == 1).all().all()
    assert orders["lines"].between(1, 3).all()
    # Order ids are unique per order and increase with time.
    assert orders.index.is_unique and orders["order_date"].is_monotonic_increasing
    assert (lines["quantity"] >= 1).all()
    assert set(lines["category"]) == set(CATEGORIES)
    assert set(lines["status"]) == set(STATUSES)
    returned = lines["status"] == "returned"
    assert (lines.loc[returned, "amount"] < 0).all()
    assert (lines.loc[~returned, "amount"] > 0).all()


def test_calendar_and_signup(shop, orders):
    assert orders["order_date"].min() >= START_DATE
    assert orders["order_date"].max() <= END_DATE
    signup = pd.to_datetime(shop[0]["signup_date"].to_pandas())
    signup.index = shop[0]["customer_id"].to_pylist()
    first_order = orders.groupby("customer_id")["order_date"].min()
    gap = (first_order - signup.reindex(first_order.index)).dt.days
    assert gap.between(0, 30).all()


def test_customer_kinds(per_customer):
    never = (per_customer[list(STATUSES)].sum(axis=1) == 0).mean()
    cancelled_only = ((per_customer["cancelled"] > 0)
                      & (per_customer["completed"] + per_customer["returned"] == 0)).mean()
    assert abs(never - 0.08) <= 0.02
    assert abs(cancelled_only - 0.04) <= 0.02
    only_cancelled = per_customer[(per_customer["cancelled"] > 0)
                                  & (per_customer["completed"] + per_customer["returned"] == 0)]
    assert only_cancelled["cancelled"].between(1, 2).all()


def test_most_buyers_buy_once_and_a_few_buy_often(per_customer):
    completed = per_customer.loc[per_customer["completed"] > 0, "completed"]
    assert 0.60 <= (completed == 1).mean() <= 0.72
    assert (completed >= 10).mean() >= 0.01


def test_top_decile_holds_most_revenue(per_customer):
    revenue = buyers(per_customer)["revenue"].sort_values(ascending=False)
    top = revenue.iloc[: int(np.ceil(0.1 * len(revenue)))]
    assert top.sum() / revenue.sum() >= 0.45


def test_order_values_are_heavy_tailed_around_a_typical_basket(orders):
    completed = orders[orders["status"] == "completed"]
    mean_value = completed.groupby("customer_id")["amount"].mean()
    assert 35 <= mean_value.median() <= 65
    assert mean_value.quantile(0.99) >= 8 * mean_value.median()


def test_cancelled_and_returned_order_shares(per_customer, orders):
    status = orders.loc[orders["customer_id"].isin(buyers(per_customer).index), "status"]
    assert abs((status == "cancelled").mean() - 0.07) <= 0.02
    assert abs((status == "returned").mean() - 0.06) <= 0.02


def test_fourth_quarter_is_busier(orders):
    days = pd.date_range(START_DATE, END_DATE)
    q4_days = (days.quarter == 4).sum()
    q4 = orders["order_date"].dt.quarter == 4
    per_day_q4 = q4.sum() / q4_days
    per_day_rest = (~q4).sum() / (len(days) - q4_days)
    assert per_day_q4 >= 1.3 * per_day_rest


def test_acquisition_grows_and_some_customers_are_new(orders):
    purchases = orders[orders["status"] != "cancelled"]
    first = purchases.groupby("customer_id")["order_date"].min()
    assert (first > END_DATE - pd.Timedelta(days=90)).sum() >= 0.03 * N_CUSTOMERS
    per_year = first.dt.year.value_counts()
    assert 1.3 <= per_year[2025] / per_year[2023] <= 2.2


def test_deterministic_for_a_seed():
    first = generate_realistic_shop(2_000, random_state=3)
    second = generate_realistic_shop(2_000, random_state=3)
    other = generate_realistic_shop(2_000, random_state=4)
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    assert not first[1].equals(other[1])


def test_hundred_thousand_customers_are_quick():
    started = time.perf_counter()
    customers, _ = generate_realistic_shop(100_000, random_state=1)
    assert customers.num_rows == 100_000
    assert time.perf_counter() - started < 10


def test_command_line_writes_realistic_shop(tmp_path, capsys):
    assert files.main(["--customers", "300", "--out", str(tmp_path), "--prefix", "shop_",
                       "--format", "csv", "--seed", "5", "--shape", "realistic"]) == 0
    customers, orders = generate_realistic_shop(300, random_state=5)
    written_customers = pd.read_csv(tmp_path / "shop_customers.csv", dtype={"customer_id": str})
    written_orders = pd.read_csv(tmp_path / "shop_orders.csv", dtype={"customer_id": str})
    assert list(written_customers.columns) == customers.column_names
    assert list(written_orders.columns) == orders.column_names
    assert len(written_customers) == 300 and len(written_orders) == orders.num_rows
    assert written_orders["amount"].round(2).tolist() == orders["amount"].to_pylist()
    assert "shop_orders.csv" in capsys.readouterr().out


def test_invalid_arguments_raise():
    with pytest.raises(ValueError):
        generate_realistic_shop(0)
    with pytest.raises(ValueError):
        generate_realistic_shop(10, start_date="2025-01-02", end_date="2025-01-01")
    with pytest.raises(ValueError):
        files.write_company(".", 10, shape="clusters")
