"""The next day's export (segmentation.demo.increments.next_export): what a daily
refresh must pick up, drawn the same way every time."""

import pandas as pd
import pyarrow as pa
import pytest

from segmentation.demo.increments import next_export
from segmentation.demo.personas import generate_company


@pytest.fixture(scope="module")
def orders():
    return generate_company(3000, random_state=5)[1]


@pytest.fixture(scope="module")
def moved(orders):
    return next_export(orders, new_line_share=0.05, days=3, random_state=2)


def test_the_same_arguments_give_the_same_export(orders, moved):
    assert next_export(orders, new_line_share=0.05, days=3, random_state=2).equals(moved)
    assert not next_export(orders, new_line_share=0.05, days=3, random_state=3).equals(moved)


def test_old_lines_stay_in_place_and_only_recent_orders_are_cancelled(orders, moved):
    before = orders.to_pandas()
    after = moved.to_pandas().iloc[:len(before)]
    assert moved.schema == orders.schema
    unchanged = ["order_id", "customer_id", "order_date", "amount", "category", "quantity"]
    pd.testing.assert_frame_equal(after[unchanged], before[unchanged])
    rewritten = after["status"] != before["status"]
    assert rewritten.sum() > 0
    assert (after.loc[rewritten, "status"] == "cancelled").all()
    assert (before.loc[rewritten, "status"] == "completed").all()
    last_day = before["order_date"].max()
    assert (before.loc[rewritten, "order_date"] > last_day - pd.Timedelta(days=60)).all()
    # A cancellation takes the whole order.
    cancelled_orders = set(after.loc[rewritten, "order_id"])
    assert (after.loc[after["order_id"].isin(cancelled_orders), "status"] == "cancelled").all()


def test_late_returns_and_new_orders_follow_the_last_day(orders, moved):
    before = orders.to_pandas()
    added = moved.to_pandas().iloc[len(before):]
    assert len(added) == round(0.05 * len(before))
    last_day = before["order_date"].max()
    assert added["order_date"].between(last_day + pd.Timedelta(days=1),
                                       last_day + pd.Timedelta(days=3)).all()
    returns = added[added["status"] == "returned"]
    fresh = added[added["status"] == "completed"]
    assert len(returns) == round(0.05 * len(added)) and len(returns) + len(fresh) == len(added)
    # A late return is for a completed order already in the export, by its customer.
    known = before[before["status"] == "completed"].set_index("order_id")["customer_id"]
    assert returns["order_id"].isin(known.index).all()
    assert (known.groupby(level=0).first().loc[returns["order_id"]].to_numpy()
            == returns["customer_id"].to_numpy()).all()
    assert (returns["amount"] < 0).all() and (fresh["amount"] > 0).all()
    # New orders: ids after the last one, each of one existing customer on one day.
    assert (fresh["order_id"] > before["order_id"].max()).all()
    assert fresh["order_id"].str.len().eq(before["order_id"].str.len().iloc[0]).all()
    per_order = fresh.groupby("order_id").agg(customers=("customer_id", "nunique"),
                                              days=("order_date", "nunique"))
    assert (per_order[["customers", "days"]] == 1).all().all()
    assert 1.2 < len(fresh) / len(per_order) < 2.2
    assert fresh["customer_id"].isin(set(before["customer_id"])).all()


def test_nothing_new_is_yesterdays_export(orders):
    same = next_export(orders, new_line_share=0.0)
    assert same.equals(orders)


@pytest.mark.parametrize("arguments", [{"new_line_share": -0.1}, {"new_line_share": 1.5},
                                       {"days": 0}])
def test_bad_arguments_are_refused(orders, arguments):
    with pytest.raises(ValueError):
        next_export(orders, **arguments)


def test_an_empty_export_is_refused(orders):
    with pytest.raises(ValueError, match="empty"):
        next_export(orders.slice(0, 0))


def test_order_numbers_widen_when_they_must():
    """Ids are numbered on after the largest; past the padding they grow a digit."""
    orders = generate_company(50, random_state=1)[1]
    narrow = orders.set_column(0, "order_id", pa.array(
        [f"O{int(order_id[1:]) % 90 + 10:02d}" for order_id in
         orders.column("order_id").to_pylist()]))
    moved = next_export(narrow, new_line_share=0.2, random_state=0)
    added = moved.slice(len(narrow)).to_pandas()
    new_ids = sorted(set(added.loc[added["status"] == "completed", "order_id"]))
    assert new_ids[0] == "O100" and all(len(order_id) == 4 for order_id in new_ids)


def test_command_line_writes_the_next_days_folder(tmp_path, orders):
    import pyarrow.parquet as pq

    from segmentation.demo.files import write_table
    from segmentation.demo.increments import main

    customers = generate_company(3000, random_state=5)[0]
    write_table(customers, tmp_path / "customers.parquet", file_format="parquet")
    write_table(orders, tmp_path / "orders.parquet", file_format="parquet")
    assert main(["--input-dir", str(tmp_path), "--out", str(tmp_path / "next"),
                 "--new-line-share", "0.05", "--days", "3", "--seed", "2"]) == 0
    assert pq.read_table(tmp_path / "next" / "orders.parquet").equals(
        next_export(orders, new_line_share=0.05, days=3, random_state=2))
    assert pq.read_table(tmp_path / "next" / "customers.parquet").equals(customers)
    with pytest.raises(SystemExit):
        main(["--input-dir", str(tmp_path), "--out", str(tmp_path)])
