"""The next day's export of a company: yesterday's order lines, changed and grown.

A daily refresh reads an export that moved on overnight. Three things happen
to it, and an incremental build must catch each:

* **new orders**, dated the day(s) after the last one, from customers who
  already bought (drawn in proportion to their order lines, so frequent
  buyers buy again more often);
* **late returns**: a return line arriving for an order placed weeks ago,
  with that order's id and customer, a negative amount and status
  'returned', dated the day it arrives;
* **late cancellations**: an order placed in the last weeks whose lines are
  rewritten in place to status 'cancelled' (same id, same date: the export
  is re-written, not appended to).

``next_export`` draws them from one seeded generator, for the benchmark's
daily refresh and for the tests that hold an incremental build to a full one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_ORDER_ID_PREFIX = "O"


def next_export(
    orders: pa.Table,
    *,
    new_line_share: float = 0.01,
    days: int = 1,
    late_return_share: float = 0.05,
    late_cancel_share: float = 0.02,
    late_window_days: int = 60,
    random_state: int = 0,
) -> pa.Table:
    """``orders`` as the next export holds them, `days` later.

    Parameters
    ----------
    orders : order lines with the generator's columns (order_id "O" + digits,
        customer_id, order_date, amount, category, status, quantity).
    new_line_share : new order lines, as a share of the existing lines.
    days : days the export moves on; new orders are dated uniformly in them.
    late_return_share, late_cancel_share : as shares of the new lines' count,
        how many late return lines are appended and how many recent orders are
        cancelled in place, both on completed orders of the last
        `late_window_days` days.
    random_state : seed; equal arguments give equal tables.

    Returns the lines in the input's order (cancelled ones rewritten), then
    the late returns, then the new orders, with the input's schema.
    """
    if not 0 <= new_line_share <= 1:
        raise ValueError("new_line_share must be within [0, 1]")
    if days < 1:
        raise ValueError("days must be >= 1")
    if len(orders) == 0:
        raise ValueError("orders is empty: there is no export to move on")
    rng = np.random.default_rng(random_state)
    new_lines = round(len(orders) * new_line_share)
    dates = orders.column("order_date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
    last_day = dates.max()
    completed = pc.and_(pc.equal(orders.column("status"), "completed"),
                        pc.greater(orders.column("amount"), 0))
    recent = np.flatnonzero(
        (dates > last_day - np.timedelta64(late_window_days, "D"))
        & completed.to_numpy(zero_copy_only=False))

    # Late cancellations: whole recent orders rewritten in place.
    candidates = np.unique(orders.column("order_id").take(recent).to_numpy(zero_copy_only=False))
    cancel_orders = min(round(new_lines * late_cancel_share), len(candidates))
    cancelled = pa.array(rng.choice(candidates, size=cancel_orders, replace=False),
                         orders.schema.field("order_id").type)
    is_cancelled = pc.is_in(orders.column("order_id"), value_set=cancelled)
    status = pc.if_else(is_cancelled, pa.scalar("cancelled", orders.schema.field("status").type),
                        orders.column("status"))
    moved = orders.set_column(orders.schema.get_field_index("status"), "status", status)
    is_cancelled = is_cancelled.to_numpy(zero_copy_only=False)

    # Late returns: a negative line for recent completed lines of other orders.
    still_completed = recent[~is_cancelled[recent]]
    return_count = min(round(new_lines * late_return_share), len(still_completed))
    returned = np.sort(rng.choice(still_completed, size=return_count, replace=False))
    return_days = last_day + rng.integers(1, days + 1, return_count).astype("timedelta64[D]")
    late_returns = pa.table({
        "order_id": orders.column("order_id").take(returned),
        "customer_id": orders.column("customer_id").take(returned),
        "order_date": pa.array(return_days.astype(dt.date), orders.schema.field("order_date").type),
        "amount": pc.negate(orders.column("amount").take(returned)),
        "category": orders.column("category").take(returned),
        "status": pa.array(["returned"] * return_count, orders.schema.field("status").type),
        "quantity": orders.column("quantity").take(returned),
    }, schema=orders.schema)

    # New orders: lines of existing customers, 1-3 to an order.
    fresh = max(new_lines - return_count, 0)
    templates = rng.integers(0, len(orders), fresh)
    lines_per_order = rng.choice([1, 2, 3], size=fresh, p=[0.55, 0.30, 0.15])
    first_line = np.cumsum(lines_per_order) - lines_per_order
    starts = first_line[first_line < fresh]
    order_of_line = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, fresh)))
    # Ids are zero-padded to one width, so the largest sorts last.
    largest = pc.max(orders.column("order_id")).as_py()
    first_number = int(largest[len(_ORDER_ID_PREFIX):]) + 1
    width = max(len(largest) - len(_ORDER_ID_PREFIX), len(str(first_number + len(starts))))
    new_ids = [f"{_ORDER_ID_PREFIX}{first_number + index:0{width}d}" for index in order_of_line]
    # Every line of a new order is its first template's customer's, on one day.
    customers = orders.column("customer_id").take(templates[starts])
    order_days = last_day + rng.integers(1, days + 1, len(starts)).astype("timedelta64[D]")
    new_orders = pa.table({
        "order_id": pa.array(new_ids, orders.schema.field("order_id").type),
        "customer_id": customers.take(pa.array(order_of_line)),
        "order_date": pa.array(order_days[order_of_line].astype(dt.date),
                               orders.schema.field("order_date").type),
        "amount": pc.abs(orders.column("amount").take(templates)),
        "category": orders.column("category").take(templates),
        "status": pa.array(["completed"] * fresh, orders.schema.field("status").type),
        "quantity": orders.column("quantity").take(templates),
    }, schema=orders.schema)
    return pa.concat_tables([moved, late_returns, new_orders])


def main(argv: list[str] | None = None) -> int:
    """``python -m segmentation.demo.increments``: write the next day's export of
    a company folder (orders.parquet moved on, customers.parquet the same)."""
    import argparse
    import shutil
    from pathlib import Path

    import pyarrow.parquet as pq

    from segmentation.demo.files import write_table

    parser = argparse.ArgumentParser(
        prog="python -m segmentation.demo.increments",
        description="Write the next day's export of a company written as Parquet: new "
                    "orders, late returns and late cancellations (next_export).")
    parser.add_argument("--input-dir", type=Path, required=True,
                        help="folder with customers.parquet and orders.parquet")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them to")
    parser.add_argument("--new-line-share", type=float, default=0.01,
                        help="new order lines as a share of the existing ones (0.01)")
    parser.add_argument("--days", type=int, default=1, help="days the export moves on (1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.input_dir.resolve():
        parser.error("--out must be another folder than --input-dir")
    args.out.mkdir(parents=True, exist_ok=True)
    orders = pq.read_table(args.input_dir / "orders.parquet")
    moved = next_export(orders, new_line_share=args.new_line_share, days=args.days,
                        random_state=args.seed)
    write_table(moved, args.out / "orders.parquet", file_format="parquet")
    shutil.copyfile(args.input_dir / "customers.parquet", args.out / "customers.parquet")
    print(f"{args.out / 'orders.parquet'}: {len(orders):,} order lines -> {len(moved):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
