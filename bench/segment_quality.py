"""Build a shop and write its segment-quality page (docs/segment-quality*.md).

Two shops, neither with planted groups:

* ``--shop realistic`` (default): ``segmentation.demo.realistic_shop``, a
  generated export that looks real: most customers buy once, spend is
  heavy-tailed, orders are cancelled and returned, some customers sign up
  and never buy. Writes ``docs/segment-quality.md``.
* ``--shop cdnow``: a real export, the CDNOW transactions (23,570 customers
  who first bought from the CD retailer in the first quarter of 1997, and
  every purchase they made until June 1998; Fader and Hardie's data set as
  shipped inside the ``lifetimes`` wheel on PyPI, which this script
  downloads with pip into ``bench/data/cdnow``). Writes
  ``docs/segment-quality-cdnow.md``.

The shop is written as CSV into a temporary folder and built with
``dbt build`` into a DuckDB file of its own (the project's
``segmentation.duckdb`` and ``exports/`` are not touched); the page comes
from ``segmentation.quality``.

Usage::

    python bench/segment_quality.py --customers 20000 --seed 11
    python bench/segment_quality.py --shop cdnow
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
CDNOW_WHEEL = "lifetimes==0.11.3"
CDNOW_MEMBER = "lifetimes/datasets/CDNOW_master.txt"
CDNOW_AS_OF_DATE = "1998-07-01"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop", choices=["realistic", "cdnow"], default="realistic")
    parser.add_argument("--customers", type=int, default=20000, help="realistic shop only")
    parser.add_argument("--seed", type=int, default=11, help="realistic shop only")
    parser.add_argument("--out", help="page to write (default: docs/segment-quality[-cdnow].md)")
    args = parser.parse_args(argv)
    default_page = "segment-quality.md" if args.shop == "realistic" else "segment-quality-cdnow.md"
    out = Path(args.out or PROJECT_DIR / "docs" / default_page)

    with tempfile.TemporaryDirectory(prefix="segment-quality-") as work:
        work_dir = Path(work)
        input_dir = work_dir / "input"
        input_dir.mkdir()
        if args.shop == "realistic":
            invocation = "python bench/segment_quality.py " + shlex.join(
                [f"--customers={args.customers}", f"--seed={args.seed}"])
            title, preamble, build_vars = _realistic_shop(input_dir, args.customers, args.seed,
                                                          invocation)
        else:
            invocation = "python bench/segment_quality.py --shop=cdnow"
            title, preamble, build_vars = _cdnow(input_dir, invocation)
        db_path = work_dir / "shop.duckdb"
        dbt = Path(sys.executable).parent / "dbt"
        command = [str(dbt if dbt.exists() else "dbt"), "build",
                   "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
                   "--vars", json.dumps({"input_dir": str(input_dir), "export_dir": None,
                                         **build_vars})]
        completed = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True,
                                   env={**os.environ, "SEGMENTATION_DUCKDB_PATH": str(db_path)})
        if completed.returncode != 0:
            print(completed.stdout[-5000:], completed.stderr[-2000:], file=sys.stderr)
            return completed.returncode
        from segmentation.quality import write_segment_quality

        write_segment_quality(db_path, out, title=title, preamble=preamble)
    print(f"wrote {out}")
    return 0


def _realistic_shop(input_dir: Path, n_customers: int, seed: int,
                    invocation: str) -> tuple[str, str, dict]:
    from segmentation.demo.files import write_table
    from segmentation.demo.realistic_shop import generate_realistic_shop

    customers, orders = generate_realistic_shop(n_customers, random_state=seed)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    preamble = (
        f"Written by `{invocation}`: a realistic shop of {n_customers:,} customers "
        f"and {orders.num_rows:,} order lines without planted groups "
        "(`segmentation.demo.realistic_shop`: most customers buy once, heavy-tailed spend, "
        "cancelled and returned orders, sign-ups who never buy), built with the default "
        "vars. `segmentation quality --db <file> --out <page>` writes the same page for "
        "any build; `docs/segment-quality-cdnow.md` is the same page for a real export. "
        "The end-to-end tests assert the same properties on a smaller shop and on one "
        "cohort of it (`python_tests/test_dbt_segment_quality.py`)."
    )
    return "Segment quality on a realistic shop", preamble, {}


def _cdnow(input_dir: Path, invocation: str) -> tuple[str, str, dict]:
    """CDNOW as customers.csv and orders.csv: ids as written, every
    transaction line an order of its own (completed; amount in dollars,
    quantity the number of CDs), the first transaction as the signup date."""
    source = _cdnow_master()
    rows = []
    for line in source.read_text().splitlines():
        fields = line.split()
        if len(fields) != 4 or not fields[1].isdigit():
            continue  # the header, blank lines
        customer_id, day, cds, dollars = fields
        rows.append((customer_id, f"{day[:4]}-{day[4:6]}-{day[6:]}", cds, dollars))
    signup: dict[str, str] = {}
    paid: set[str] = set()
    for customer_id, day, _, dollars in rows:
        signup[customer_id] = min(day, signup.get(customer_id, day))
        if float(dollars) > 0:
            paid.add(customer_id)
    with open(input_dir / "customers.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "signup_date"])
        writer.writerows(sorted(signup.items()))
    with open(input_dir / "orders.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "order_date", "amount", "quantity", "status"])
        for number, (customer_id, day, cds, dollars) in enumerate(rows, start=1):
            writer.writerow([f"T{number:06d}", customer_id, day, dollars, cds, "completed"])
    preamble = (
        f"Written by `{invocation}`: a real export, the CDNOW transactions "
        f"({len(signup):,} customers who first bought from the CD retailer in the first "
        f"quarter of 1997, and their {len(rows):,} purchases until June 1998; from "
        f"`{CDNOW_MEMBER}` in the `{CDNOW_WHEEL}` wheel on PyPI), built with the default vars "
        f"and as_of_date {CDNOW_AS_OF_DATE}. Each transaction line is an order; the first one "
        "is the signup date; purchases of $0 (free CDs) are no purchase, so the "
        f"{len(signup) - len(paid):,} customers with nothing else are No Purchase Yet. "
        "Every customer joined in one quarter, so tenure "
        "hardly varies and is left out of the model (var min_feature_variation); CDNOW has "
        "no returns, so return_rate has no variance and is left out too."
    )
    return ("Segment quality on a real export (CDNOW)", preamble,
            {"as_of_date": CDNOW_AS_OF_DATE})


def _cdnow_master() -> Path:
    """CDNOW_master.txt, from the lifetimes wheel downloaded once with pip."""
    cache = PROJECT_DIR / "bench" / "data" / "cdnow"
    target = cache / Path(CDNOW_MEMBER).name
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", CDNOW_WHEEL, "--no-deps",
                    "--only-binary=:all:", "--dest", str(cache)], check=True)
    wheel = next(cache.glob("[Ll]ifetimes-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read(CDNOW_MEMBER))
    return target


if __name__ == "__main__":
    raise SystemExit(main())
