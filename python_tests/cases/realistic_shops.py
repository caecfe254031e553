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
