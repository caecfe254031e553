"""The company's data as tables in the warehouse (var input_schema), not files.

Each case loads the same data another case writes as CSV into tables of a
schema ``crm`` in the DuckDB file the build then writes (dbt_runner.build_case
builds into ``input_dir.parent / "seg.duckdb"``), with the types DuckDB's reader
infers (dates as DATE, amounts as DOUBLE), and removes the CSV files: the build
can only read the tables.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cases.planted import planted_customers_csv
from cases.realistic_shops import REALISTIC_CUSTOMERS
from segmentation.demo.files import write_table
from segmentation.demo.realistic_shop import generate_realistic_shop

SCHEMA = "crm"


def load_tables(input_dir: Path, tables: dict[str, Path]) -> Path:
    """Each CSV into table crm.<name> of the build's DuckDB file; the CSV is removed."""
    db_path = input_dir.parent / "seg.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, csv_path in tables.items():
            con.register("incoming", con.read_csv(str(csv_path)))
            con.execute(f"create table {SCHEMA}.{name} as select * from incoming")
            con.unregister("incoming")
            csv_path.unlink()
    return db_path


def case_realistic_shop_tables(input_dir: Path) -> tuple[dict, dict]:
    """case_realistic_shop's data as tables crm.customer_master and crm.order_lines."""
    customers, orders = generate_realistic_shop(REALISTIC_CUSTOMERS, random_state=11)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    load_tables(input_dir, {"customer_master": input_dir / "customers.csv",
                            "order_lines": input_dir / "orders.csv"})
    return {"input_schema": SCHEMA, "input_customers_table": "customer_master",
            "input_orders_table": "order_lines"}, {}


def case_planted_customers_table(input_dir: Path) -> tuple[dict, dict]:
    """case_planted_customers' data as table crm.customers, its headers ("Annual
    Income (k$)") as column names, and no orders table: customers only."""
    planted_customers_csv(input_dir, renamed=True)
    load_tables(input_dir, {"customers": input_dir / "customers.csv"})
    return {
        "input_schema": SCHEMA,
        "column_map": {"customers": {
            "customer_id": "CustomerID",
            "annual_income": "Annual Income (k$)",
            "spending_score": "Spending Score (1-100)",
        }},
        "features": ["annual_income", "spending_score"],
    }, {}
