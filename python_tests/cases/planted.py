"""Planted groups with known labels (segmentation.demo.planted): does the build find them?"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cases.demo_seeds import EVERY_METHOD
from segmentation.demo.files import write_table
from segmentation.demo.planted import generate_planted_company, generate_planted_customers

PLANTED_RENAMES = {
    "customer_id": "CustomerID",
    "age": "Age",  # no column_map entry: found case-insensitively
    "annual_income": "Annual Income (k$)",
    "spending_score": "Spending Score (1-100)",
}


def planted_customers_csv(input_dir: Path, *, renamed: bool, n_per_group: int = 200,
                           random_state: int = 0) -> tuple[pa.Table, np.ndarray]:
    customers, labels = generate_planted_customers(n_per_group, 4, random_state=random_state)
    table = customers
    if renamed:
        table = customers.rename_columns([PLANTED_RENAMES[c] for c in customers.column_names])
    write_table(table, input_dir / "customers.csv", file_format="csv")
    return customers, labels


def case_planted_customers(input_dir: Path) -> tuple[dict, dict]:
    """4 planted groups on (income, spending score, age), CSV, renamed columns."""
    customers, labels = planted_customers_csv(input_dir, renamed=True)
    dbt_vars = {
        "input_dir": str(input_dir),
        "column_map": {"customers": {
            "customer_id": "CustomerID",
            "annual_income": "Annual Income (k$)",
            "spending_score": "Spending Score (1-100)",
        }},
        "features": ["annual_income", "spending_score"],
    }
    truth = pd.DataFrame({
        "customer_id": customers["customer_id"].to_pylist(),
        "truth": labels,
        "annual_income": customers["annual_income"].to_pylist(),
        "spending_score": customers["spending_score"].to_pylist(),
    })
    return dbt_vars, {"truth": truth}


def case_planted_company(input_dir: Path) -> tuple[dict, dict]:
    """4 planted behaviour groups, customers and orders as parquet, default features."""
    customers, orders, labels = generate_planted_company(150, random_state=1)
    truth = pd.DataFrame({"customer_id": customers["customer_id"].to_pylist(), "truth": labels})
    # A few ids arrive padded with spaces, in both files (exports do that):
    # staging trims them, so they still join and come out as given, unpadded.
    padded = set(truth["customer_id"].iloc[:5])

    def pad(table: pa.Table, column: str) -> pa.Table:
        values = [f" {v}  " if v in padded else v for v in table[column].to_pylist()]
        return table.set_column(table.column_names.index(column), column, pa.array(values))

    customers, orders = pad(customers, "customer_id"), pad(orders, "customer_id")
    write_table(customers, input_dir / "customers.parquet", file_format="parquet")
    write_table(orders, input_dir / "orders.parquet", file_format="parquet")
    # Every export format, so test_bi_exports reads each back on a build with
    # the optional cross-sell marts (hyper only where the tableau extra is).
    formats = ["parquet", "csv", "duckdb"] + (["hyper"] if find_spec("pantab") else [])
    return {"input_dir": str(input_dir), "cross_sell": True, "methods": EVERY_METHOD,
            "export_formats": formats}, {"truth": truth}


def case_planted_company_hierarchical(input_dir: Path) -> tuple[dict, dict]:
    """The planted company with the Ward clusters as the segments (var primary_method)."""
    dbt_vars, info = case_planted_company(input_dir)
    return {**dbt_vars, "primary_method": "hierarchical"}, info
