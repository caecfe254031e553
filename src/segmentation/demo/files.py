"""Writing a generated company as CSV or Parquet files, and the command line.

``python -m segmentation.demo`` (or the ``segmentation-demo-data`` script) runs
``main``; ``seeds/demo`` is written that way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from segmentation.demo.personas import generate_company
from segmentation.demo.realistic_shop import generate_realistic_shop
from segmentation.demo.tables import _csv_ready


def write_table(table: pa.Table, path: str | Path, *, file_format: str) -> None:
    """Write one table as "csv" (header, ISO dates, two-decimal floats, nulls
    as empty fields, strings quoted) or "parquet"."""
    if file_format == "csv":
        pa_csv.write_csv(_csv_ready(table), path)
    elif file_format == "parquet":
        pq.write_table(table, path)
    else:
        raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")


def write_company(
    out_dir: str | Path,
    n_customers: int,
    *,
    file_format: str = "csv",
    prefix: str = "",
    mean_order_lines: float = 12.0,
    random_state: int = 42,
    shape: str = "personas",
) -> dict[str, dict[str, str | int]]:
    """Generate a company and write ``{prefix}customers.{ext}`` and
    ``{prefix}orders.{ext}`` into out_dir (created if missing).

    shape "personas" writes ``generate_company``; "realistic" writes
    ``generate_realistic_shop`` (no planted segments; it
    ignores mean_order_lines). Returns {"customers": {"path": str, "rows":
    int}, "orders": {...}}.
    """
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")
    if shape == "personas":
        customers, orders = generate_company(
            n_customers, mean_order_lines=mean_order_lines, random_state=random_state)
    elif shape == "realistic":
        customers, orders = generate_realistic_shop(n_customers, random_state=random_state)
    else:
        raise ValueError(f"shape must be 'personas' or 'realistic', got {shape!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, str | int]] = {}
    for name, table in (("customers", customers), ("orders", orders)):
        path = out / f"{prefix}{name}.{file_format}"
        write_table(table, path, file_format=file_format)
        written[name] = {"path": str(path), "rows": table.num_rows}
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic company, e.g. as dbt seeds."""
    parser = argparse.ArgumentParser(
        prog="segmentation-demo-data",
        description="Deterministic synthetic company data: a customer master and order lines.")
    parser.add_argument("--customers", type=int, required=True,
                        help="number of customers in the customer master")
    parser.add_argument("--out", required=True,
                        help="folder to write customers.<format> and orders.<format> into "
                        "(created if missing; point var input_dir at it)")
    parser.add_argument("--prefix", default="", help="file name prefix, e.g. demo_ (default: none)")
    parser.add_argument("--format", dest="file_format", choices=("csv", "parquet"),
                        default="csv", help="file format (default: %(default)s)")
    parser.add_argument("--mean-order-lines", type=float, default=12.0,
                        help="average order lines per customer (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42,
                        help="random seed: the same seed writes the same files "
                        "(default: %(default)s)")
    parser.add_argument("--shape", choices=("personas", "realistic"), default="personas",
                        help="personas: planted customer groups; realistic: a shop like a real "
                        "export, no planted groups, most customers buy once (default: %(default)s)")
    args = parser.parse_args(argv)
    written = write_company(args.out, args.customers, file_format=args.file_format,
                            prefix=args.prefix, mean_order_lines=args.mean_order_lines,
                            random_state=args.seed, shape=args.shape)
    for name, info in written.items():
        print(f"wrote {info['path']} ({info['rows']} {name} rows)")
    return 0
