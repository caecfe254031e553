"""Bad inputs and vars: the build must stop with one clear message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cases.planted import planted_customers_csv
from segmentation.demo.files import write_table
from segmentation.demo.personas import generate_company
from segmentation.demo.planted import generate_planted_customers


def _small_orders(customer_ids: list[str]) -> pa.Table:
    return pa.table({
        "order_id": [f"O{i:08d}" for i in range(1, len(customer_ids) + 1)],
        "customer_id": customer_ids,
        "order_date": ["2025-01-02"] * len(customer_ids),
        "amount": [10.5] * len(customer_ids),
    })


def case_fail_missing_customers(input_dir: Path) -> tuple[dict, dict]:
    write_table(_small_orders(["000001", "000002"]), input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}


def case_fail_missing_amount(input_dir: Path) -> tuple[dict, dict]:
    customers, _ = planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    orders = _small_orders(customers["customer_id"].to_pylist()[:5]).drop_columns(["amount"])
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"orders_path": input_dir / "orders.csv"}


def case_fail_unknown_feature(input_dir: Path) -> tuple[dict, dict]:
    planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir),
            "features": ["annual_income", "loyalty_points"]}, {}


def case_fail_column_map(input_dir: Path) -> tuple[dict, dict]:
    planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir),
            "column_map": {"customers": {"annual_income": "Yearly Income"}}}, {}


def case_fail_unknown_method(input_dir: Path) -> tuple[dict, dict]:
    planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir), "primary_method": "k-means"}, {}


def case_fail_day_month_dates(input_dir: Path) -> tuple[dict, dict]:
    """Every order date written 31/12/2024-style and no var date_formats."""
    ids = [f"C{i:03d}" for i in range(1, 31)]
    write_table(pa.table({"customer_id": ids}), input_dir / "customers.csv", file_format="csv")
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(1, 61)],
        "customer_id": [ids[i % len(ids)] for i in range(60)],
        "order_date": [f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024" for i in range(60)],
        "amount": [10.0 + i for i in range(60)],
    })
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"orders_path": input_dir / "orders.csv"}


def case_fail_currency_amounts(input_dir: Path) -> tuple[dict, dict]:
    """Every amount written with a currency symbol ('$10.00'). The customers
    have signup dates, so tenure alone could still be clustered: without the
    file-level rule the build would pass on customer attributes alone."""
    ids = [f"C{i:03d}" for i in range(1, 31)]
    customers = pa.table({
        "customer_id": ids,
        "signup_date": [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(30)],
    })
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(1, 61)],
        "customer_id": [ids[i % len(ids)] for i in range(60)],
        "order_date": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(60)],
        "amount": [f"${10 + i}.00" for i in range(60)],
    })
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"orders_path": input_dir / "orders.csv"}


def case_fail_csv_encoding(input_dir: Path) -> tuple[dict, dict]:
    planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir), "csv_encoding": "cp1252"}, {}


def case_fail_published_history_runs(input_dir: Path) -> tuple[dict, dict]:
    planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir), "published_history_runs": 0}, {}


def case_fail_no_completed_purchase(input_dir: Path) -> tuple[dict, dict]:
    """Every order cancelled: nobody to cluster, and the message says why."""
    customers, orders = generate_company(40, random_state=3)
    orders = orders.set_column(orders.schema.get_field_index("status"), "status",
                               pa.array(["cancelled"] * orders.num_rows))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"orders_path": input_dir / "orders.csv"}


def case_fail_too_few_customers(input_dir: Path) -> tuple[dict, dict]:
    customers, _ = generate_planted_customers(1, 3, random_state=0)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    return {"input_dir": str(input_dir), "n_clusters": 5}, {
        "customers_path": input_dir / "customers.csv"}


def case_fail_no_variance(input_dir: Path) -> tuple[dict, dict]:
    customers, _ = generate_planted_customers(50, 4, random_state=0)
    index = customers.column_names.index("spending_score")
    customers = customers.set_column(index, "spending_score",
                                     pa.array(np.full(customers.num_rows, 50, dtype=np.int32)))
    assert pc.count_distinct(customers["spending_score"]).as_py() == 1
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    return {"input_dir": str(input_dir), "features": ["annual_income", "spending_score"]}, {}
