"""Build a realistic shop without planted groups and write docs/segment-quality.md.

The shop (``segmentation.realistic_shop``) looks like a real export: most
customers buy once, spend is heavy-tailed, orders are cancelled and returned,
some customers sign up and never buy. This script writes it as CSV into a
temporary folder, runs ``dbt build`` on it into a DuckDB file of its own (the
project's ``segmentation.duckdb`` and ``exports/`` are not touched), and
writes the page with ``segmentation.quality``.

Usage::

    python bench/segment_quality.py --customers 20000 --seed 11
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default=str(PROJECT_DIR / "docs" / "segment-quality.md"))
    args = parser.parse_args(argv)

    from segmentation.demo_data import write_table
    from segmentation.quality import write_segment_quality
    from segmentation.realistic_shop import generate_realistic_shop

    with tempfile.TemporaryDirectory(prefix="segment-quality-") as work:
        work_dir = Path(work)
        input_dir = work_dir / "input"
        input_dir.mkdir()
        customers, orders = generate_realistic_shop(args.customers, random_state=args.seed)
        write_table(customers, input_dir / "customers.csv", file_format="csv")
        write_table(orders, input_dir / "orders.csv", file_format="csv")
        db_path = work_dir / "shop.duckdb"
        dbt = Path(sys.executable).parent / "dbt"
        command = [str(dbt if dbt.exists() else "dbt"), "build",
                   "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
                   "--vars", json.dumps({"input_dir": str(input_dir), "export_dir": None})]
        completed = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True,
                                   env={**os.environ, "SEGMENTATION_DUCKDB_PATH": str(db_path)})
        if completed.returncode != 0:
            print(completed.stdout[-5000:], completed.stderr[-2000:], file=sys.stderr)
            return completed.returncode
        invocation = "python bench/segment_quality.py " + shlex.join(
            [f"--customers={args.customers}", f"--seed={args.seed}"])
        preamble = (
            f"Written by `{invocation}`: a realistic shop of {args.customers:,} customers "
            f"and {orders.num_rows:,} order lines without planted groups "
            "(`segmentation.realistic_shop`: most customers buy once, heavy-tailed spend, "
            "cancelled and returned orders, sign-ups who never buy), built with the default "
            "vars. `segmentation quality --db <file> --out <page>` writes the same page for "
            "any build. The end-to-end tests assert the same properties on a smaller shop "
            "(`python_tests/test_dbt_segment_quality.py`)."
        )
        write_segment_quality(db_path, Path(args.out), title="Segment quality on a realistic shop",
                              preamble=preamble)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
