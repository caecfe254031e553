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
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hostile_cases import HOSTILE_CASES
from segmentation.demo.dirty_export import make_dirty
from segmentation.demo.files import write_table
from segmentation.demo.personas import generate_company
from segmentation.demo.planted import generate_planted_company, generate_planted_customers

PROJECT_DIR = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 300

# DuckDB release the published serving file must open in (fixture old_duckdb):
# the oldest 1.x. docs/bi-guide.md lists the others tried.
OLD_DUCKDB_VERSION = "1.0.0"

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


def executable(name: str) -> str:
    """A command of the interpreter running the tests (the project's venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"no {name} executable next to the Python running the tests")
    return found


def dbt_executable() -> str:
    return executable("dbt")


@contextmanager
def duckdb_file_held_open(path: Path, *, read_only: bool) -> Iterator[subprocess.Popen]:
    """Another process holding ``path`` open, as a BI tool or a build would, until the
    block ends; yields the process (its pid is what DuckDB's lock message names)."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
         "print('open', flush=True); sys.stdin.read()", str(path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


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
    def export_dir(self) -> Path:
        """Where the build publishes its marts for BI (var export_dir)."""
        return Path(self.vars["export_dir"])

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
                  info: dict | None = None, db_path: Path | None = None,
                  project_dir: Path = PROJECT_DIR, selector: str | None = "auto",
                  select: str | None = None, env: dict | None = None) -> DbtBuild:
    """`dbt build` from the project dir into ``work_dir``/seg.duckdb (or ``db_path``).

    Target and log paths live in ``work_dir`` too, so concurrent builds never
    share dbt's target/ folder, and the marts are published into
    ``work_dir``/exports unless the vars name an export_dir. The vars go in as
    JSON, which is YAML. With var mode 'score' the build uses the documented
    ``--selector score`` (selector="auto"); selector=None selects everything.
    ``select`` builds only those nodes (``--select``), as a partial rebuild.
    ``env`` adds environment variables (for example TZ).
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = db_path or work_dir / "seg.duckdb"
    dbt_vars = {"export_dir": str(work_dir / "exports"), **(dbt_vars or {})}
    env = {
        **os.environ,
        "SEGMENTATION_DUCKDB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PRINTER_WIDTH": "120",
        **(env or {}),
    }
    # --no-write-json: no manifest.json / run_results.json (~3 s of CPU a build);
    # compiled SQL and the logs are still written.
    args = [
        dbt_executable(), "build", "--no-write-json",
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
    ]
    args += ["--vars", json.dumps(dbt_vars)]
    if selector == "auto":
        selector = "score" if dbt_vars.get("mode") == "score" else None
    if selector:
        args += ["--selector", selector]
    if select:
        args += ["--select", select]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            args, cwd=project_dir, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS,
        )
        returncode, output = completed.returncode, completed.stdout + completed.stderr
    except subprocess.TimeoutExpired as timeout:
        returncode = -1
        output = f"(timed out after {BUILD_TIMEOUT_SECONDS} s)\n{timeout.stdout or ''}"
    return DbtBuild(name=name, returncode=returncode, output=output, db_path=db_path,
                    work_dir=work_dir, vars=dbt_vars, info=info or {},
                    seconds=time.monotonic() - started)


def python_with_packages(packages_dir: Path, code: str, *args: str,
                         timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter that imports from ``packages_dir`` first
    (e.g. an older duckdb installed there with ``pip install --target``)."""
    env = {**os.environ, "PYTHONPATH": str(packages_dir)}
    return subprocess.run([sys.executable, "-s", "-c", code, *args], env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def differing_rows(con, first: str, second: str) -> int:
    """Rows in one relation and not the other, duplicates counted (0: equal as bags)."""
    [(count,)] = con.execute(f"""
        select count(*) from (
            (select * from {first} except all select * from {second})
            union all
            (select * from {second} except all select * from {first}))
    """).fetchall()
    return count


def column_types(con, relation: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs of a relation or query."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    return [(row[0], row[1]) for row in described]


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
    # Every export format, so test_bi_exports reads each back on a build with
    # the optional cross-sell marts (hyper only where the tableau extra is).
    formats = ["parquet", "csv", "duckdb"] + (["hyper"] if find_spec("pantab") else [])
    return {"input_dir": str(input_dir), "cross_sell": True,
            "export_formats": formats}, {"truth": truth}


AS_OF_DATE = "2025-06-30"


def case_planted_company_hierarchical(input_dir: Path) -> tuple[dict, dict]:
    """The planted company with the Ward clusters as the segments (var primary_method)."""
    dbt_vars, info = case_planted_company(input_dir)
    return {**dbt_vars, "primary_method": "hierarchical"}, info


def case_demo_mixed(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on behaviour and two categorical attributes."""
    return {"features": ["recency_days", "frequency", "monetary", "gender", "country"]}, {}


def case_demo_category_mix(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on RFM and the category mix (var features names it)."""
    return {"features": ["recency_days", "frequency", "monetary", "category_mix"]}, {}


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


def case_set_aside_quantities(input_dir: Path) -> tuple[dict, dict]:
    """Orders whose only defects are quantities that are kept but set aside.

    Every row is accepted, so rows read = rows accepted: only the count of
    lines with a set-aside value tells int_orders_with_issues to look.
    """
    customers, orders = generate_company(300, random_state=5)
    quantity = [str(q) for q in orders["quantity"].to_pylist()]
    bad = {3: "x", 10: "0", 25: "-2"}  # 0-based line -> raw quantity
    for line, raw in bad.items():
        quantity[line] = raw
    orders = orders.set_column(orders.schema.get_field_index("quantity"), "quantity",
                               pa.array(quantity))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {
        "orders": orders,
        "set_aside": {line + 1: raw for line, raw in bad.items()},  # 1-based file rows
    }


REALISTIC_CUSTOMERS = 6000


def case_realistic_shop(input_dir: Path) -> tuple[dict, dict]:
    """A shop like a real export, with no planted groups: most customers buy
    once, spend is heavy-tailed, orders get cancelled and returned, some sign
    up and never buy (segmentation.demo.realistic_shop)."""
    from segmentation.demo.realistic_shop import generate_realistic_shop

    customers, orders = generate_realistic_shop(REALISTIC_CUSTOMERS, random_state=11)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}


def case_single_cohort_shop(input_dir: Path) -> tuple[dict, dict]:
    """One cohort followed for years, as the CDNOW export is: only the
    realistic shop's customers who signed up in its first quarter, with all
    their orders. Tenure then spans a quarter out of three years."""
    from segmentation.demo.realistic_shop import generate_realistic_shop

    customers, orders = generate_realistic_shop(4 * REALISTIC_CUSTOMERS, random_state=5)
    first_day = pc.min(customers["signup_date"]).as_py()
    cohort = customers.filter(pc.less(
        customers["signup_date"], pa.scalar(first_day + dt.timedelta(days=91), pa.date32())))
    orders = orders.filter(pc.is_in(orders["customer_id"], value_set=cohort["customer_id"]))
    write_table(cohort, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {}


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


def case_unmatched_order_ids(input_dir: Path) -> tuple[dict, dict]:
    """A fifth of the order lines name their customer without the leading
    zeros the customers file writes ('42' for '000042'): the build goes on,
    and warns with the two forms side by side."""
    customers, orders = generate_company(300, random_state=4)
    ids = orders["customer_id"].to_pylist()
    stripped = {line for line in range(len(ids)) if line % 5 == 0}
    orders = orders.set_column(
        orders.schema.get_field_index("customer_id"), "customer_id",
        pa.array([i.lstrip("0") if line in stripped else i for line, i in enumerate(ids)]))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"stripped_lines": len(stripped),
                                           "lines": orders.num_rows}


def case_zoned_timestamps(input_dir: Path) -> tuple[dict, dict]:
    """Order times as TIMESTAMP WITH TIME ZONE in Parquet, each at 23:30 UTC,
    built on a machine whose clock is in Tokyo (TZ), where it is already the
    next day: the dates must still be the UTC ones."""
    ids = [f"C{i:03d}" for i in range(1, 41)]
    write_table(pa.table({"customer_id": ids}), input_dir / "customers.parquet",
                file_format="parquet")
    customer_ids, times, amounts = [], [], []
    for number, customer_id in enumerate(ids):
        for order in range(1 + number % 5):
            customer_ids.append(customer_id)
            times.append(dt.datetime(2024, 1 + (number + order) % 12, 1 + number % 28, 23, 30,
                                     tzinfo=dt.UTC))
            amounts.append(10.0 + 7 * number + order)
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(len(times))],
        "customer_id": customer_ids,
        "order_date": pa.array(times, type=pa.timestamp("us", tz="UTC")),
        "amount": amounts,
    })
    write_table(orders, input_dir / "orders.parquet", file_format="parquet")
    utc_dates = {}
    for customer_id, moment in zip(customer_ids, times, strict=True):
        utc_dates[customer_id] = max(utc_dates.get(customer_id, moment.date()), moment.date())
    return {"input_dir": str(input_dir)}, {"env": {"TZ": "Asia/Tokyo"},
                                           "last_purchase_dates": utc_dates}


def case_local_today(input_dir: Path) -> tuple[dict, dict]:
    """An order dated today and one dated tomorrow on the clock of a machine
    in a zone whose date differs from UTC's right now: east of UTC (Kiritimati,
    UTC+14) from 10:00 UTC, else west (Pago Pago, UTC-11). "Future" must mean
    after the machine's local today, not after UTC's."""
    from zoneinfo import ZoneInfo

    zone = "Pacific/Kiritimati" if dt.datetime.now(dt.UTC).hour >= 10 else "Pacific/Pago_Pago"
    today = dt.datetime.now(ZoneInfo(zone)).date()
    ids = [f"C{i:03d}" for i in range(1, 31)]
    customers = pa.table({
        "customer_id": ids,
        "signup_date": [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(30)],
    })
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    dates = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(58)]
    dates += [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(1, 61)],
        "customer_id": [ids[i % len(ids)] for i in range(60)],
        "order_date": dates,
        "amount": [10.0 + i for i in range(60)],
    })
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"env": {"TZ": zone}, "today": today}


def case_latin1_csv(input_dir: Path) -> tuple[dict, dict]:
    """The planted customers as a Latin-1 CSV (a Windows export) with an
    accented country, read with var csv_encoding."""
    customers, _ = _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    countries = ["Österreich" if i % 2 else "España" for i in range(customers.num_rows)]
    text = customers.append_column("country", pa.array(countries)).to_pandas().to_csv(index=False)
    (input_dir / "customers.csv").write_bytes(text.encode("latin-1"))
    return {"input_dir": str(input_dir), "csv_encoding": "latin-1"}, {"countries": set(countries)}


def case_fail_csv_encoding(input_dir: Path) -> tuple[dict, dict]:
    _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    return {"input_dir": str(input_dir), "csv_encoding": "cp1252"}, {}


def case_fail_published_history_runs(input_dir: Path) -> tuple[dict, dict]:
    _planted_customers_csv(input_dir, renamed=False, n_per_group=10)
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


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no venv, builds or data) at ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in PROJECT_DIR.glob("*.yml"):  # dbt_project, profiles, selectors
        shutil.copy2(path, destination / path.name)
    for name in ("models", "macros", "seeds", "tests", "analyses", "snapshots"):
        if (PROJECT_DIR / name).is_dir():
            shutil.copytree(PROJECT_DIR / name, destination / name)
    return destination


PREVIOUS_PUBLICATION = {
    "manifest.json": json.dumps({"invocation_id": "previous-build", "marts": [
        {"name": "segment_profiles", "files": {"parquet": "parquet/segment_profiles.parquet"}}]}),
    "parquet/segment_profiles.parquet": "the previous build's file",
}


def case_fail_mart_test(input_dir: Path) -> tuple[dict, dict]:
    """A data test on a public mart fails, in a copy of the project given one
    failing singular test: the build must skip bi_publications and leave the
    previous publication (PREVIOUS_PUBLICATION) as it was."""
    return _failing_copy_after_a_publication(
        input_dir, "tests/singular/segment_profiles_fail_on_purpose.sql",
        "select segment_id from {{ ref('segment_profiles') }}\n")


def case_fail_model_outside_the_marts(input_dir: Path) -> tuple[dict, dict]:
    """A model no mart reads fails at run time (time_spine_daily, which a
    '-infinity' order date once crashed), in a copy of the project: the build must skip
    bi_publications and leave the previous publication (PREVIOUS_PUBLICATION)
    as it was, though every mart and its tests passed."""
    return _failing_copy_after_a_publication(
        input_dir, "models/semantic/time_spine_daily.sql",
        "select cast('not a date' as date) as date_day\n")


def _failing_copy_after_a_publication(input_dir: Path, relative_path: str,
                                      sql: str) -> tuple[dict, dict]:
    """Planted customers, a copy of the project with ``relative_path``
    overwritten by ``sql`` (a node that fails), and an export folder holding
    PREVIOUS_PUBLICATION, which the failing build must leave as it was."""
    _planted_customers_csv(input_dir, renamed=False, n_per_group=25)
    project_dir = copy_project(input_dir.parent / "project")
    (project_dir / relative_path).write_text(sql)
    export_dir = input_dir.parent / "exports"
    for relative, text in PREVIOUS_PUBLICATION.items():
        (export_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (export_dir / relative).write_text(text)
    return ({"input_dir": str(input_dir), "features": ["annual_income", "spending_score"],
             "export_dir": str(export_dir)},
            {"project_dir": project_dir})


def _prefixed(table: pa.Table, columns: tuple[str, ...], prefix: str) -> pa.Table:
    """`table` with `prefix` put before the values of `columns` (new ids)."""
    for column in columns:
        table = table.set_column(table.schema.get_field_index(column), column,
                                 pc.binary_join_element_wise(prefix, table[column], ""))
    return table


def _keep(table: pa.Table, keep: set[str]) -> pa.Table:
    return table.filter(pc.is_in(table["customer_id"], value_set=pa.array(sorted(keep))))


def case_history_demo(input_dir: Path) -> tuple[dict, dict]:
    """Segments over time on the demo seeds: fits at 2025-06-30 and 2025-09-30
    into one DuckDB file; the case's own build then scores at 2025-12-31 and
    publishes the latest two runs of the customer history."""
    work_dir = input_dir.parent
    steps = [run_dbt_build(work_dir, {"as_of_date": day}, name=f"history_demo_{day}")
             for day in ("2025-06-30", "2025-09-30")]
    return ({"as_of_date": "2025-12-31", "mode": "score", "published_history_runs": 2},
            {"steps": steps})


def case_history_planted(input_dir: Path) -> tuple[dict, dict]:
    """The same four planted groups, refitted after a tenth of the customers
    changed: a fit at 2025-12-30 on company A, a fit at 2025-12-31 on company B
    (A with 10% of its customers replaced by new ones from the same groups),
    then the case's own build repeats the 2025-12-31 fit (it replaces that run)."""
    work_dir = input_dir.parent
    customers, orders, labels = generate_planted_company(150, random_state=1)
    fresh_customers, fresh_orders, fresh_labels = generate_planted_company(15, random_state=2)
    ids = customers["customer_id"].to_pylist()
    rng = np.random.default_rng(3)
    dropped = set(rng.choice(ids, size=len(fresh_labels), replace=False).tolist())
    keep = set(ids) - dropped
    changed_customers = pa.concat_tables([
        _keep(customers, keep), _prefixed(fresh_customers, ("customer_id",), "N")])
    changed_orders = pa.concat_tables([
        _keep(orders, keep), _prefixed(fresh_orders, ("customer_id", "order_id"), "N")])
    first, second = input_dir / "a", input_dir / "b"
    for folder, (c, o) in ((first, (customers, orders)),
                           (second, (changed_customers, changed_orders))):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(c, folder / "customers.parquet", file_format="parquet")
        write_table(o, folder / "orders.parquet", file_format="parquet")
    steps = [
        run_dbt_build(work_dir, {"input_dir": str(first), "as_of_date": "2025-12-30"},
                      name="history_planted_a"),
        run_dbt_build(work_dir, {"input_dir": str(second), "as_of_date": "2025-12-31"},
                      name="history_planted_b"),
    ]
    truth = pd.DataFrame({"customer_id": ids, "truth": labels})
    return ({"input_dir": str(second), "as_of_date": "2025-12-31"},
            {"steps": steps, "truth": truth, "replaced": sorted(dropped)})


# The two attributes the fit-then-score cases cluster on.
SCORE_FEATURES = ["annual_income", "spending_score"]


def _planted_build(work_dir: Path, folder: Path, as_of_date: str, name: str, *,
                   features: list[str] = SCORE_FEATURES, mode: str | None = None,
                   selector: str | None = "auto") -> DbtBuild:
    """One step of a fit-then-score case: a build of ``folder`` at ``as_of_date``."""
    dbt_vars = {"input_dir": str(folder), "as_of_date": as_of_date, "features": features}
    if mode:
        dbt_vars["mode"] = mode
    return run_dbt_build(work_dir, dbt_vars, name=name, selector=selector)


def case_score_planted_customers(input_dir: Path) -> tuple[dict, dict]:
    """Fit on planted customers at 2025-01-31; score without the selector, the
    selector without mode score, and a score naming other features (three
    errors); then the case's own build scores at 2025-02-28 after a tenth more
    customers arrived."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(100, 4, random_state=0)
    newcomers, _ = generate_planted_customers(10, 4, random_state=5)
    newcomers = newcomers.set_column(
        0, "customer_id", pc.binary_join_element_wise("new-", newcomers["customer_id"], ""))
    first, second = input_dir / "a", input_dir / "b"
    for folder, table in ((first, customers), (second, pa.concat_tables([customers, newcomers]))):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(table, folder / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, first, "2025-01-31", "score_fit"),
        _planted_build(work_dir, second, "2025-02-28", "score_without_selector", mode="score",
                       selector=None),
        _planted_build(work_dir, second, "2025-02-28", "selector_without_score_mode",
                       selector="score"),
        _planted_build(work_dir, second, "2025-02-28", "score_with_other_features",
                       features=["annual_income"], mode="score"),
    ]
    return ({"input_dir": str(second), "as_of_date": "2025-02-28", "features": SCORE_FEATURES,
             "mode": "score"}, {"steps": steps})


def case_fail_score_after_interrupted_fit(input_dir: Path) -> tuple[dict, dict]:
    """A fit at 2025-01-31; then a fit at 2025-02-28 that stops part-way (a
    named feature without variance stops it in ml_customer_features_scaled,
    after ml_fit_run and ml_feature_scaling were rebuilt); then the case's own
    build scores, which must refuse the half-replaced model."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(25, 4, random_state=0)
    good, constant = input_dir / "a", input_dir / "c"
    good.mkdir(parents=True, exist_ok=True)
    constant.mkdir(parents=True, exist_ok=True)
    write_table(customers, good / "customers.csv", file_format="csv")
    flat = customers.set_column(customers.column_names.index("spending_score"), "spending_score",
                                pa.array([50.0] * customers.num_rows))
    write_table(flat, constant / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, good, "2025-01-31", "interrupted_first_fit"),
        _planted_build(work_dir, constant, "2025-02-28", "interrupted_fit"),
    ]
    return ({"input_dir": str(good), "as_of_date": "2025-03-31", "features": SCORE_FEATURES,
             "mode": "score"}, {"steps": steps})


def case_fail_score_after_scaling_rebuilt(input_dir: Path) -> tuple[dict, dict]:
    """A fit at 2025-01-31; then ml_feature_scaling alone is rebuilt by
    another invocation on changed customers, as when a fit build is killed
    after the scaling but before ml_fit_run (dbt may run them in either
    order): ml_fit_run and ml_fit_completed still agree. The case's own build
    scores, which must refuse, naming the table."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(25, 4, random_state=0)
    changed, _ = generate_planted_customers(25, 4, random_state=9)
    first, second = input_dir / "a", input_dir / "b"
    for folder, table in ((first, customers), (second, changed)):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(table, folder / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, first, "2025-01-31", "rebuilt_scaling_fit"),
        run_dbt_build(work_dir, {"input_dir": str(second), "as_of_date": "2025-02-28",
                                 "features": SCORE_FEATURES},
                      name="rebuilt_scaling_alone", select="ml_feature_scaling"),
    ]
    return ({"input_dir": str(second), "as_of_date": "2025-03-31", "features": SCORE_FEATURES,
             "mode": "score"}, {"steps": steps})


# Longest first, so two workers finish together.
CASES: dict[str, Callable[[Path], tuple[dict, dict]]] = {
    "history_demo": case_history_demo,
    "history_planted": case_history_planted,
    "score_planted_customers": case_score_planted_customers,
    "fail_score_after_interrupted_fit": case_fail_score_after_interrupted_fit,
    "fail_score_after_scaling_rebuilt": case_fail_score_after_scaling_rebuilt,
    "realistic_shop": case_realistic_shop,
    "single_cohort_shop": case_single_cohort_shop,
    "planted_customers": case_planted_customers,
    "planted_company": case_planted_company,
    "planted_company_hierarchical": case_planted_company_hierarchical,
    "dirty": case_dirty,
    "demo_a": case_demo,
    "demo_b": case_demo,
    "demo_mixed": case_demo_mixed,
    "demo_category_mix": case_demo_category_mix,
    "no_orders": case_no_orders,
    "set_aside_quantities": case_set_aside_quantities,
    "fail_mart_test": case_fail_mart_test,
    "fail_model_outside_the_marts": case_fail_model_outside_the_marts,
    "fail_no_variance": case_fail_no_variance,
    "fail_missing_customers": case_fail_missing_customers,
    "fail_missing_amount": case_fail_missing_amount,
    "fail_unknown_feature": case_fail_unknown_feature,
    "fail_column_map": case_fail_column_map,
    "fail_unknown_method": case_fail_unknown_method,
    "fail_published_history_runs": case_fail_published_history_runs,
    "fail_day_month_dates": case_fail_day_month_dates,
    "fail_currency_amounts": case_fail_currency_amounts,
    "zoned_timestamps": case_zoned_timestamps,
    "unmatched_order_ids": case_unmatched_order_ids,
    "latin1_csv": case_latin1_csv,
    "local_today": case_local_today,
    "fail_csv_encoding": case_fail_csv_encoding,
    "fail_too_few_customers": case_fail_too_few_customers,
    "fail_no_completed_purchase": case_fail_no_completed_purchase,
    **HOSTILE_CASES,
}


def build_case(name: str, base_dir: Path) -> DbtBuild:
    """Prepare the inputs of case ``name`` under base_dir/name and build it."""
    work_dir = base_dir / name
    input_dir = work_dir / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    dbt_vars, info = CASES[name](input_dir)
    if not any(input_dir.iterdir()):
        input_dir.rmdir()
    return run_dbt_build(work_dir, dbt_vars, name=name, info=info,
                         project_dir=info.get("project_dir", PROJECT_DIR), env=info.get("env"))
