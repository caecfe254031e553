"""Running `dbt build` on prepared inputs, and the input cases the dbt tests share.

A build takes ~20 s, so every case is built once per test session (see the
``dbt_pool`` fixture in conftest.py, which runs two builds at a time) and the
tests of a case read its DuckDB file read-only.

Each case is a function ``prepare(input_dir) -> (vars, info)``: it writes the
case's input files into ``input_dir`` (or nothing, for the demo seeds) and
returns the dbt vars of the build plus whatever the tests need to know about
the data it planted (``info``).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.demo_data import (
    generate_company,
    generate_planted_company,
    generate_planted_customers,
    make_dirty,
    write_table,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 300

PUBLIC_MARTS = (
    "dim_customer_segments",
    "customer_cluster_assignments",
    "segment_profiles",
    "cluster_k_selection",
    "cluster_linkage",
    "customer_projection",
    "quarantined_rows",
    "input_reconciliation",
)


def dbt_executable() -> str:
    """The dbt of the interpreter running the tests (the project's venv)."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise RuntimeError("no dbt executable next to the Python running the tests")
    return found


@dataclass
class DbtBuild:
    """A finished `dbt build`: its exit code, its output and its DuckDB file."""

    name: str
    returncode: int
    output: str  # stdout then stderr
    db_path: Path
    work_dir: Path
    vars: dict
    info: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        """The tail of the output, for assertion messages."""
        return f"dbt build '{self.name}' exited {self.returncode}:\n{self.output[-6000:]}"

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run sql on the build's DuckDB file, opened read-only."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        return self.query(f"select * from main.{name}")


def run_dbt_build(work_dir: Path, dbt_vars: dict | None, *, name: str = "build",
                  info: dict | None = None) -> DbtBuild:
    """`dbt build` from the project dir into ``work_dir``/seg.duckdb.

    Target and log paths live in ``work_dir`` too, so concurrent builds never
    share dbt's target/ folder. The vars go in as JSON, which is YAML.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "seg.duckdb"
    env = {
        **os.environ,
        "SEGMENTATION_DUCKDB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PRINTER_WIDTH": "120",
    }
    # --no-write-json: no manifest.json / run_results.json (~3 s of CPU a build);
    # compiled SQL and the logs are still written.
    args = [
        dbt_executable(), "build", "--no-write-json",
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            args, cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS,
        )
        returncode, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as timeout:
        returncode = -1
        output = f"(timed out after {BUILD_TIMEOUT_SECONDS} s)\n{timeout.stdout or ''}"
    return DbtBuild(name=name, returncode=returncode, output=output, db_path=db_path,
                    work_dir=work_dir, vars=dbt_vars or {}, info=info or {},
                    seconds=time.monotonic() - started)


def csv_data_rows(path: Path) -> int:
    """Data rows of a CSV file (header excluded), counted by a CSV parser."""
    with open(path, newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


# --------------------------------------------------------------------------- cases

PLANTED_RENAMES = {
    "customer_id": "CustomerID",
    "age": "Age",  # no column_map entry: found case-insensitively
    "annual_income": "Annual Income (k$)",
    "spending_score": "Spending Score (1-100)",
}


def _planted_customers_csv(input_dir: Path, *, renamed: bool, n_per_group: int = 200,
                           random_state: int = 0) -> tuple[pa.Table, np.ndarray]:
    customers, labels = generate_planted_customers(n_per_group, 4, random_state=random_state)
    table = customers
    if renamed:
        table = customers.rename_columns([PLANTED_RENAMES[c] for c in customers.column_names])
    write_table(table, input_dir / "customers.csv", file_format="csv")
    return customers, labels


def case_planted_customers(input_dir: Path) -> tuple[dict, dict]:
    """4 planted groups on (income, spending score, age), CSV, renamed columns."""
    customers, labels = _planted_customers_csv(input_dir, renamed=True)
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
    return {"input_dir": str(input_dir), "cross_sell": True}, {"truth": truth}


AS_OF_DATE = "2025-06-30"


def case_planted_company_hierarchical(input_dir: Path) -> tuple[dict, dict]:
    """The planted company with the Ward clusters as the segments (var primary_method)."""
    dbt_vars, info = case_planted_company(input_dir)
    return {**dbt_vars, "primary_method": "hierarchical"}, info


def case_demo_mixed(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on behaviour and two categorical attributes."""
    return {"features": ["recency_days", "frequency", "monetary", "gender", "country"]}, {}


def case_dirty(input_dir: Path) -> tuple[dict, dict]:
    """A realistic export with every defect make_dirty plants, as CSV.

    Its orders run to 2025-12-31 and it is segmented as of AS_OF_DATE, so the
    same build also shows that later orders are left out (a build costs ~40 s
    of CPU, so this case serves the data-quality and the as_of_date tests).
    """
    customers, orders = generate_company(600, random_state=11)
    dirty_customers, dirty_orders, counts = make_dirty(customers, orders, random_state=1)
    write_table(dirty_customers, input_dir / "customers.csv", file_format="csv")
    write_table(dirty_orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir), "as_of_date": AS_OF_DATE}, {
        "customers": dirty_customers, "orders": dirty_orders, "counts": counts,
        "clean_customers": customers,
        "customers_path": input_dir / "customers.csv", "orders_path": input_dir / "orders.csv",
    }


def case_demo(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds, no vars at all."""
    return {}, {}


def case_no_orders(input_dir: Path) -> tuple[dict, dict]:
    """A customer master only (CSV), no orders file, default features."""
    customers, _ = generate_company(600, random_state=3)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    return {"input_dir": str(input_dir), "cross_sell": True}, {"customers": customers}


# Bad inputs: the build must stop with one clear message.

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
    customers, _ = _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    orders = _small_orders(customers["customer_id"].to_pylist()[:5]).drop_columns(["amount"])
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"orders_path": input_dir / "orders.csv"}


def case_fail_unknown_feature(input_dir: Path) -> tuple[dict, dict]:
    _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir),
            "features": ["annual_income", "loyalty_points"]}, {}


def case_fail_column_map(input_dir: Path) -> tuple[dict, dict]:
    _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir),
            "column_map": {"customers": {"annual_income": "Yearly Income"}}}, {}


def case_fail_unknown_method(input_dir: Path) -> tuple[dict, dict]:
    _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir), "primary_method": "k-means"}, {}


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


# Longest first, so two workers finish together.
CASES: dict[str, Callable[[Path], tuple[dict, dict]]] = {
    "planted_customers": case_planted_customers,
    "planted_company": case_planted_company,
    "planted_company_hierarchical": case_planted_company_hierarchical,
    "dirty": case_dirty,
    "demo_a": case_demo,
    "demo_b": case_demo,
    "demo_mixed": case_demo_mixed,
    "no_orders": case_no_orders,
    "fail_no_variance": case_fail_no_variance,
    "fail_missing_customers": case_fail_missing_customers,
    "fail_missing_amount": case_fail_missing_amount,
    "fail_unknown_feature": case_fail_unknown_feature,
    "fail_column_map": case_fail_column_map,
    "fail_unknown_method": case_fail_unknown_method,
    "fail_too_few_customers": case_fail_too_few_customers,
}


def build_case(name: str, base_dir: Path) -> DbtBuild:
    """Prepare the inputs of case ``name`` under base_dir/name and build it."""
    work_dir = base_dir / name
    input_dir = work_dir / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    dbt_vars, info = CASES[name](input_dir)
    if not any(input_dir.iterdir()):
        input_dir.rmdir()
    return run_dbt_build(work_dir, dbt_vars, name=name, info=info)
