"""Shops without planted groups (segmentation.demo.realistic_shop), as real exports are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from segmentation.demo.files import write_table
from segmentation.demo.realistic_shop import generate_realistic_shop

REALISTIC_CUSTOMERS = 6000


def case_realistic_shop(input_dir: Path) -> tuple[dict, dict]:
    """A shop like a real export, with no planted groups: most customers buy
    once, spend is heavy-tailed, orders get cancelled and returned, some sign
    up and never buy (segmentation.demo.realistic_shop)."""
    customers, orders = generate_realistic_shop(REALISTIC_CUSTOMERS, random_state=11)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}


def case_single_cohort_shop(input_dir: Path) -> tuple[dict, dict]:
    """One cohort followed for years, as the CDNOW export is: only the
    realistic shop's customers who signed up in its first quarter, with all
    their orders. Tenure then spans a quarter out of three years."""
    customers, orders = generate_realistic_shop(4 * REALISTIC_CUSTOMERS, random_state=5)
    first_day = pc.min(customers["signup_date"]).as_py()
    cohort = customers.filter(pc.less(
        customers["signup_date"], pa.scalar(first_day + dt.timedelta(days=91), pa.date32())))
    orders = orders.filter(pc.is_in(orders["customer_id"], value_set=cohort["customer_id"]))
    write_table(cohort, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}


def case_few_repeat_buyers(input_dir: Path) -> tuple[dict, dict]:
    """A shop where almost everyone bought once: the realistic shop's
    customers with only their first order, except 12 who keep all of theirs.
    Too few repeat buyers for the value model: the build must go on with the
    segments and say why there are no predicted values."""
    customers, orders = generate_realistic_shop(REALISTIC_CUSTOMERS // 3, random_state=13)
    first_orders = orders.group_by("customer_id").aggregate([("order_id", "min")])
    repeaters = orders.filter(pc.is_in(orders["customer_id"], value_set=pa.array(
        sorted(set(orders["customer_id"].to_pylist()))[:12])))
    kept = pc.or_(pc.is_in(orders["order_id"], value_set=first_orders["order_id_min"]),
                  pc.is_in(orders["customer_id"], value_set=repeaters["customer_id"]))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders.filter(kept), input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"repeat_customers": 12}


def case_short_history_shop(input_dir: Path) -> tuple[dict, dict]:
    """Four months of orders, shorter than the value backtest's default
    holdout (182 days): the value model is fitted and scores everyone; the
    backtest says it has nothing to calibrate on."""
    customers, orders = generate_realistic_shop(REALISTIC_CUSTOMERS // 2, random_state=17)
    last_day = pc.max(orders["order_date"]).as_py()
    recent = pc.greater(orders["order_date"],
                        pa.scalar(last_day - dt.timedelta(days=120), pa.date32()))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders.filter(recent), input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}
