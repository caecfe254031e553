"""An incremental build of the order state gives what a full build gives.

int_customer_order_state is kept between builds on DuckDB: each build
regroups only the orders with a line on or after the earliest day whose lines
changed (models/intermediate/features). This
test runs a company's export through several daily changes, building one
DuckDB file incrementally day after day and, each day, a second one from
scratch (--full-refresh), and holds every order and customer table of the two
to each other. The days bring what a real export brings overnight:

* new orders and late returns for orders weeks old (segmentation.demo.increments);
* a late line for an order that shares its purchase day with another order
  of its customer: the day is months before the change and is rebuilt from
  both orders, the regrouped one and the stored one;
* orders cancelled in place, and a line corrected in place a year back,
  older than any lookback a date window would use;
* a customer whose orders were in the export before the customer was
  (rejected as unknown, then accepted, appended to the customers file);
* a day whose every line is withdrawn;
* a var that reclassifies lines (cancel_statuses without 'cancelled': such
  lines become purchases), which changes every day holding one;
* a customers file whose rows come in another order (every customer_key
  moves: everything is regrouped);
* as_of_date moved back a month.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dbt_runner import DbtBuild, run_dbt_build
from segmentation.demo.files import write_table
from segmentation.demo.increments import next_export
from segmentation.demo.personas import generate_company

# Everything the order state feeds, with their ancestors and their own tests
# (cautious: not the tests that also read models left unbuilt here).
SELECT = "+int_customer_features +int_customer_value_summary int_customer_purchase_days"
SELECTION = ("--indirect-selection", "cautious")
# The tables held to each other, with the columns that identify a row.
COMPARED = {
    "int_customer_orders": ["customer_key", "order_key"],
    "int_customer_order_metrics": ["customer_id"],
    "int_customer_features": ["customer_id"],
    "int_customer_value_summary": ["customer_key"],
    "int_customer_purchase_days": ["customer_key", "purchase_date"],
    "int_customer_purchase_totals": ["customer_key"],
}
LATE_CUSTOMER_ORDERS_MIN = 3


def _late_customer(customers: pa.Table, orders: pa.Table) -> str:
    """A customer with a few orders, all in the last half year, who will arrive
    in the export after them (an early first order would make the build
    regroup everything, as any change on the first day does)."""
    frame = orders.select(["customer_id", "order_id", "order_date"]).to_pandas()
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    per_customer = frame.groupby("customer_id").agg(
        orders=("order_id", "nunique"), first=("order_date", "min"))
    recent = per_customer["first"] > frame["order_date"].max() - pd.Timedelta(days=180)
    candidates = per_customer[recent & (per_customer["orders"] >= LATE_CUSTOMER_ORDERS_MIN)]
    return str(candidates.index.sort_values()[0])


def _change_old_line(orders: pa.Table) -> pa.Table:
    """The amount of one purchase line about 15 months back corrected in place:
    older than any lookback window would reach, not on the first day."""
    frame = orders.to_pandas()
    dates = pd.to_datetime(frame["order_date"])
    old = frame.index[(dates >= dates.max() - pd.Timedelta(days=450)) & (frame["amount"] > 0)][0]
    frame.loc[old, "amount"] = frame.loc[old, "amount"] + 7.25
    return pa.Table.from_pandas(frame, schema=orders.schema, preserve_index=False)


def _withdraw_a_day(orders: pa.Table) -> tuple[pa.Table, dt.date]:
    """Every line of one day (about a year back) removed from the export."""
    dates = pd.to_datetime(orders["order_date"].to_pandas())
    day = (dates.max() - pd.Timedelta(days=400)).date()
    assert (dates.dt.date == day).any(), "the day to withdraw has lines"
    kept = pc.not_equal(orders["order_date"], pa.scalar(day, orders["order_date"].type))
    return orders.filter(kept), day


def _late_line_on_a_shared_day(orders: pa.Table, absent: str) -> tuple[pa.Table, dict]:
    """A purchase line added on the export's last day to an order about half a
    year old whose customer made another purchase order that same day: the
    order is regrouped, the other is not, and their purchase day must hold
    both. Not the customer `absent` from the customers file."""
    frame = orders.to_pandas()
    dates = pd.to_datetime(frame["order_date"])
    purchases = frame[(frame["status"] == "completed") & (frame["amount"] > 0)
                      & (dates < dates.max() - pd.Timedelta(days=150))
                      & (frame["customer_id"] != absent)]
    per_day = purchases.groupby(["customer_id", "order_date"])["order_id"].unique()
    shared = per_day[per_day.map(len) >= 2].sort_index()
    assert len(shared) > 0, "some customer has two purchase orders on one day"
    (customer_id, day), order_ids = shared.index[-1], sorted(shared.iloc[-1])
    late = frame[frame["order_id"] == order_ids[0]].iloc[[0]].copy()
    late["order_date"] = frame["order_date"].max()
    late["amount"] = 19.99
    late["quantity"] = 1
    added = pa.Table.from_pandas(late, schema=orders.schema, preserve_index=False)
    expected = float(purchases.loc[purchases["customer_id"].eq(customer_id)
                                   & purchases["order_date"].eq(day), "amount"].sum()) + 19.99
    return pa.concat_tables([orders, added]), {
        "customer_id": customer_id, "day": day, "orders": order_ids, "value": round(expected, 2)}


def _days_regrouped(build: DbtBuild) -> int | None:
    """How many changed days the incremental model reported (None: a full build)."""
    if "no order line changed since the last build" in build.output:
        return 0
    found = re.search(r"the lines of (\d+) day\(s\) changed", build.output)
    return int(found.group(1)) if found else None


def _table(build: DbtBuild, name: str, keys: list[str]) -> pd.DataFrame:
    return build.table(name).sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> list[dict]:
    """Each day: its incremental build, its full build and what changed in it."""
    base = tmp_path_factory.mktemp("incremental-orders")
    customers, orders = generate_company(1500, mean_order_lines=10.0, random_state=17)
    late = _late_customer(customers, orders)
    without_late = customers.filter(pc.not_equal(customers["customer_id"], late))
    # A new customer is appended to the export: the others keep their row, so their key.
    with_late = pa.concat_tables([without_late,
                                  customers.filter(pc.equal(customers["customer_id"], late))])

    exports = []
    # Day 0: the late customer's orders are in the export, the customer is not.
    exports.append({"change": "first build", "customers": without_late, "orders": orders,
                    "vars": {}})
    # Day 1: a normal night: new orders, late returns, recent orders cancelled in place.
    orders = next_export(orders, new_line_share=0.02, late_return_share=0.2,
                         late_cancel_share=0.1, random_state=1)
    orders, shared_day = _late_line_on_a_shared_day(orders, absent=late)
    exports.append({"change": "new orders, late returns, cancellations, a late line",
                    "customers": without_late, "orders": orders, "vars": {},
                    "shared_day": shared_day})
    # Day 2: the customer arrives; a line a year old is corrected in place.
    orders = _change_old_line(next_export(orders, new_line_share=0.02, random_state=2))
    exports.append({"change": "a customer arrives, an old line corrected",
                    "customers": with_late, "orders": orders, "vars": {}})
    # Day 3: a whole day withdrawn, and nothing else new.
    orders, withdrawn = _withdraw_a_day(orders)
    exports.append({"change": f"the lines of {withdrawn} withdrawn",
                    "customers": with_late, "orders": orders, "vars": {}})
    # Day 4: a var reclassifies lines: 'cancelled' is no longer a cancellation.
    new_cancel_statuses = {"cancel_statuses": ["canceled", "cancel", "void", "voided"]}
    exports.append({"change": "cancel_statuses changed", "customers": with_late,
                    "orders": orders, "vars": new_cancel_statuses})
    # Day 5: the customers file comes sorted the other way round.
    exports.append({"change": "customers in another order",
                    "customers": with_late.take(pa.array(range(with_late.num_rows - 1, -1, -1))),
                    "orders": orders, "vars": new_cancel_statuses})
    # Day 6: the same export segmented as of a month earlier.
    exports.append({"change": "as_of_date a month back", "customers": exports[-1]["customers"],
                    "orders": orders, "vars": new_cancel_statuses, "as_of_days_back": 30})

    incremental_db = base / "incremental.duckdb"
    results = []
    for number, export in enumerate(exports):
        input_dir = base / f"day{number}" / "input"
        input_dir.mkdir(parents=True)
        write_table(export["customers"], input_dir / "customers.parquet", file_format="parquet")
        write_table(export["orders"], input_dir / "orders.parquet", file_format="parquet")
        last_day = pc.max(export["orders"]["order_date"]).as_py()
        last_day -= dt.timedelta(days=export.get("as_of_days_back", 0))
        build_vars = {"input_dir": str(input_dir), "as_of_date": str(last_day)[:10],
                      **export["vars"]}
        incremental = run_dbt_build(base / f"day{number}" / "incremental", build_vars,
                                    name=f"day {number} incremental", db_path=incremental_db,
                                    selector=None, select=SELECT, extra_args=SELECTION)
        # The file moves on with the next day: the day's state is kept as a copy.
        day_copy = base / f"day{number}" / "incremental.duckdb"
        shutil.copyfile(incremental_db, day_copy)
        incremental = dataclasses.replace(incremental, db_path=day_copy)
        full = run_dbt_build(base / f"day{number}" / "full", build_vars,
                             name=f"day {number} full", selector=None, select=SELECT,
                             extra_args=(*SELECTION, "--full-refresh"))
        results.append({**export, "number": number, "incremental": incremental, "full": full,
                        "late_customer": late, "lines": export["orders"].num_rows})
    return results


def test_every_build_succeeds(days):
    for day in days:
        assert day["incremental"].succeeded, day["incremental"].describe()
        assert day["full"].succeeded, day["full"].describe()


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_the_incremental_build_gives_the_full_builds_tables(days, table):
    keys = COMPARED[table]
    for day in days:
        incremental = _table(day["incremental"], table, keys)
        full = _table(day["full"], table, keys)
        assert len(incremental) == len(full), \
            f"day {day['number']} ({day['change']}): {table} row counts differ"
        pd.testing.assert_frame_equal(incremental, full, check_exact=False, rtol=1e-12, atol=1e-9,
                                      obj=f"day {day['number']} ({day['change']}): {table}")


def test_the_stored_state_is_the_full_builds(days):
    keys = ["is_day_total", "is_purchase_day", "customer_key", "order_key"]
    for day in days:
        # as_of_window is the date a row was computed under: an order no moved
        # date crosses is not regrouped, and keeps the date it was built with.
        incremental = _table(day["incremental"], "int_customer_order_state", keys)
        full = _table(day["full"], "int_customer_order_state", keys)
        pd.testing.assert_frame_equal(incremental.drop(columns="as_of_window"),
                                      full.drop(columns="as_of_window"),
                                      check_exact=False, rtol=1e-12, atol=1e-9,
                                      obj=f"day {day['number']} ({day['change']})")
        assert (incremental["accepted_order_lines"] > 0).all(), "nothing gone is kept"


def test_each_day_regroups_only_the_days_it_changed(days):
    regrouped = [_days_regrouped(day["incremental"]) for day in days]
    total_days = days[0]["full"].query(
        "select count(*) as n from int_customer_order_state"
        " where is_day_total and not is_purchase_day")["n"].iloc[0]
    assert regrouped[0] is None, "the first build has nothing stored, so it is a full one"
    # Day 1: the new day, and the days of the cancelled orders (the last 60 days at most).
    assert 1 < regrouped[1] <= 61
    # Day 2: the new day, the late customer's days and the corrected line's day.
    assert 3 <= regrouped[2] < total_days / 4
    # Day 3: only the withdrawn day.
    assert regrouped[3] == 1
    # Day 4: the days holding a 'cancelled' line, and no other.
    cancelled_days = days[4]["full"].query(
        "select count(distinct order_date) as n from int_order_lines_cleaned"
        " where status = 'cancelled'")
    assert regrouped[4] == cancelled_days["n"].iloc[0] > 0
    frequency = [
        day["full"].query("select sum(frequency) as n from int_customer_order_metrics")["n"].iloc[0]
        for day in days[3:5]
    ]
    assert frequency[1] > frequency[0], "with the var, cancelled orders are purchases"
    # Day 5: every customer's key moved, so every day changed: regrouped as in a full build.
    assert regrouped[5] >= total_days
    assert "regrouping every order" in days[5]["incremental"].output
    # (Day 4 may be too: a 'cancelled' line on the first day makes it so.)
    assert all("regrouping every order" not in day["incremental"].output
               for day in days[1:4] + days[6:])
    # Day 6: no line changed, the date did: the orders it crosses are regrouped.
    assert regrouped[6] == 0
    assert "regrouping the orders with a line on or after" in days[6]["incremental"].output


def test_the_purchase_days_are_the_purchase_orders_grouped_by_day(days):
    """What the value models count as one purchase: a customer's purchase
    orders of one day, valued at their sum (the full build groups them from
    the stored orders; the incremental one is held to it above)."""
    for day in days:
        orders = day["full"].query(
            "select customer_key, order_date as purchase_date, purchase_amount,"
            " accepted_order_lines from int_customer_orders"
            " where has_purchase = 1 and order_date is not null")
        expected = (orders.groupby(["customer_key", "purchase_date"], as_index=False)
                    .agg(day_value=("purchase_amount", "sum"),
                         accepted_order_lines=("accepted_order_lines", "sum"))
                    .sort_values(["customer_key", "purchase_date"]).reset_index(drop=True))
        stored = _table(day["full"], "int_customer_purchase_days",
                        ["customer_key", "purchase_date"])
        assert len(stored) == len(expected) > 0
        assert (orders.groupby(["customer_key", "purchase_date"]).size() > 1).any(), \
            "some customer has two purchase orders on one day"
        np.testing.assert_array_equal(stored["customer_key"], expected["customer_key"])
        np.testing.assert_array_equal(pd.to_datetime(stored["purchase_date"]),
                                      pd.to_datetime(expected["purchase_date"]))
        np.testing.assert_allclose(stored["day_value"].astype(float),
                                   expected["day_value"].round(2), atol=1e-9)
        np.testing.assert_array_equal(stored["accepted_order_lines"],
                                      expected["accepted_order_lines"])


def test_the_purchase_totals_are_each_customers_purchase_days_summed(days):
    """What the value summary reads instead of every purchase day: per
    customer, the count, first and last day, total and first day's value of
    their purchase days (the incremental build is held to the full one above,
    which re-sums only the customers whose days it rebuilt)."""
    for day in days:
        purchase_days = day["full"].query(
            "select customer_key, purchase_date, day_value from int_customer_purchase_days"
            " order by customer_key, purchase_date")
        grouped = purchase_days.groupby("customer_key", as_index=False)
        expected = grouped.agg(first_purchase_date=("purchase_date", "first"),
                               last_purchase_date=("purchase_date", "last"),
                               purchase_days=("purchase_date", "size"),
                               total_value=("day_value", "sum"),
                               first_day_value=("day_value", "first"))
        stored = _table(day["full"], "int_customer_purchase_totals", ["customer_key"])
        assert len(stored) == len(expected) > 0
        assert (expected["purchase_days"] > 1).any()
        np.testing.assert_array_equal(stored["customer_key"], expected["customer_key"])
        for column in ("first_purchase_date", "last_purchase_date"):
            np.testing.assert_array_equal(pd.to_datetime(stored[column]),
                                          pd.to_datetime(expected[column]))
        np.testing.assert_array_equal(stored["purchase_days"], expected["purchase_days"])
        for column in ("total_value", "first_day_value"):
            np.testing.assert_allclose(stored[column].astype(float),
                                       expected[column].astype(float), atol=1e-6)


def test_a_purchase_day_holds_the_regrouped_order_and_the_stored_one(days):
    shared = days[1]["shared_day"]
    day = days[1]["incremental"].query(
        "select purchase_days.day_value from int_customer_purchase_days as purchase_days"
        " inner join int_customers_cleaned using (customer_key)"
        " where customer_id = ? and purchase_date = ?",
        [shared["customer_id"], shared["day"]])
    assert len(day) == 1, shared
    assert float(day["day_value"].iloc[0]) == pytest.approx(shared["value"]), shared
    # The day was months before the change: only its late order was regrouped.
    assert "regrouping every order" not in days[1]["incremental"].output


def test_the_late_customer_is_counted_once_they_arrive(days):
    late = days[0]["late_customer"]
    count = ("select count(*) as n from int_customer_orders"
             " inner join int_customers_cleaned using (customer_key) where customer_id = ?")
    before = days[1]["incremental"].query(count, [late])
    after = days[2]["incremental"].query(count, [late])
    assert before["n"].iloc[0] == 0
    assert after["n"].iloc[0] >= LATE_CUSTOMER_ORDERS_MIN


def test_a_rebuild_with_nothing_changed_regroups_nothing(days, tmp_path):
    last = days[-1]
    db_path = tmp_path / "again.duckdb"
    shutil.copyfile(last["incremental"].db_path, db_path)
    again = run_dbt_build(tmp_path, last["incremental"].vars, name="again",
                          db_path=db_path, selector=None, select=SELECT,
                          extra_args=SELECTION)
    assert again.succeeded, again.describe()
    assert _days_regrouped(again) == 0
    keys = COMPARED["int_customer_features"]
    pd.testing.assert_frame_equal(_table(again, "int_customer_features", keys),
                                  _table(last["full"], "int_customer_features", keys),
                                  check_exact=False, rtol=1e-12, atol=1e-9)
    assert np.isfinite(_table(again, "int_customer_features", keys)["monetary"]).all()


# States written by earlier versions: the statements that turn today's state
# into one.
OLDER_STATES = {
    # No purchase days (no is_purchase_day column), hence no totals either.
    "without purchase days": [
        "delete from int_customer_order_state where is_purchase_day",
        "alter table int_customer_order_state drop column is_purchase_day",
        "alter table int_customer_order_state drop column purchase_days",
        "alter table int_customer_order_state drop column first_day_value",
    ],
    # Purchase days, but no customer's purchase totals (no purchase_days column).
    "without purchase totals": [
        "delete from int_customer_order_state where is_purchase_day and is_day_total",
        "alter table int_customer_order_state drop column purchase_days",
        "alter table int_customer_order_state drop column first_day_value",
    ],
}


@pytest.mark.parametrize("older", sorted(OLDER_STATES))
def test_a_state_stored_by_an_older_version_is_regrouped_whole(days, tmp_path, older):
    """A state written by an earlier version is regrouped whole once, and then
    holds the full build's rows, purchase days and totals included."""
    last = days[-1]
    db_path = tmp_path / "older.duckdb"
    shutil.copyfile(last["incremental"].db_path, db_path)
    with duckdb.connect(str(db_path)) as con:
        for statement in OLDER_STATES[older]:
            con.execute(statement)
    upgraded = run_dbt_build(tmp_path, last["incremental"].vars, name="upgraded",
                             db_path=db_path, selector=None, select=SELECT,
                             extra_args=SELECTION)
    assert upgraded.succeeded, upgraded.describe()
    assert "stored without purchase days or totals; regrouping every order" in upgraded.output
    keys = ["is_day_total", "is_purchase_day", "customer_key", "order_key"]
    stored = _table(upgraded, "int_customer_order_state", keys)
    full = _table(last["full"], "int_customer_order_state", keys)
    pd.testing.assert_frame_equal(stored[full.columns].drop(columns="as_of_window"),
                                  full.drop(columns="as_of_window"),
                                  check_exact=False, rtol=1e-12, atol=1e-9)
