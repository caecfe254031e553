"""Run every example of README.md, DEVELOPERS.md and docs/*.md as a new user would.

    python dev/run_doc_examples.py            # after README command 1, from the project root

Every ```bash / ```sh / ```python / ```sql block of the docs is either run here,
in the order of the documents (README first), with a check of what it should
have produced, or skipped with a reason written below. A block this script does
not know fails the run, and so does an entry below that matches no block: the
docs and this script change together.

Placeholders a user replaces are replaced with real data made here:
/path/to/folder (a realistic shop, no planted groups), /data/mall (a
mall-customers CSV with the Kaggle headers), /srv/bi/segmentation and
docs/images (scratch folders). Files the examples write in the project root or /tmp/shop are removed
first, as on a fresh clone; the demo's segmentation.duckdb and exports/ (from
README command 1) must come out of the run as they went in.

Exit code 0 when every example ran and passed its check.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "DEVELOPERS.md", *sorted(str(p.relative_to(PROJECT_DIR)) for p in
                             (PROJECT_DIR / "docs").glob("*.md"))]
RUN_LANGUAGES = {"bash", "sh", "python", "sql"}
# What the examples write besides the demo's files: removed before the run.
EXAMPLE_OUTPUTS = [
    "my_company.duckdb", "exports_my_company", "mall.duckdb", "exports_mall",
    "history_demo.duckdb", "exports_history_demo",
    "history_quarterly.duckdb", "exports_history_quarterly",
    "scheduled.duckdb", "exports_scheduled", "segment-quality.md", "/tmp/shop",
    "warehouse.duckdb", "exports_warehouse",
    "integration_tests/host.duckdb", "integration_tests/host_exports", "/tmp/spark-warehouse",
]
# What examples may add to the demo's export folder (docs/bi-guide.md: a .hyper by hand).
DEMO_EXPORT_ADDITIONS = {"segmentation.hyper"}


@dataclass
class Example:
    doc: str
    line: int
    language: str
    text: str
    output: str | None  # the unlabelled block right after it, if any: what it printed


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class Rule:
    doc: str
    match: str  # a substring only this block of the document holds
    check: Callable[[Example, Result, Context], None] | None = None
    skip: str | None = None  # why it is not run here
    setup: Callable[[Context], None] | None = None  # what the example assumes exists
    database: str | None = None  # for sql: the file the queries read


@dataclass
class Context:
    scratch: Path
    substitutions: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------- extraction

def extract(doc: str) -> list[Example]:
    text = (PROJECT_DIR / doc).read_text()
    blocks = list(re.finditer(r"^[ \t]*```(\w*)[^\n]*\n(.*?)^[ \t]*```", text, re.S | re.M))
    examples = []
    for index, block in enumerate(blocks):
        language = block.group(1)
        if language not in RUN_LANGUAGES:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        between = text[block.end():following.start()] if following else ""
        output = (following.group(2) if following is not None and following.group(1) == ""
                  and len(between.strip()) < 200 else None)
        examples.append(Example(doc, text[:block.start()].count("\n") + 1, language,
                                textwrap.dedent(block.group(2)), output))
    return examples


# --------------------------------------------------------------------------- checks

def query(db: str | Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def built(db: str, export_dir: str, runs: int = 1, modes: list[str] | None = None,
          features: set[str] | None = None, input_source: str | None = None):
    """A check that the build wrote its database and publication as documented."""
    def check(example: Example, result: Result, ctx: Context) -> None:
        expect(result.returncode == 0, "the build failed")
        expect("Done. PASS=" in result.stdout and "ERROR=0" in result.stdout,
               "dbt did not end with ERROR=0")
        path = PROJECT_DIR / db
        history = query(path, "select run_id, run_mode, customers, segments, input_source "
                              "from segmentation_runs order by run_id")
        expect(len(history) == runs, f"{db} holds {len(history)} runs, expected {runs}")
        if modes:
            expect(list(history.run_mode) == modes,
                   f"{db} run modes {list(history.run_mode)}, expected {modes}")
        latest = history.iloc[-1]
        assigned = query(path, "select count(*) as n, count(distinct segment_id) as k "
                               "from dim_customer_segments").iloc[0]
        expect(assigned.n == latest.customers > 0,
               f"{db}: {assigned.n} customers segmented, the run says {latest.customers}")
        expect(assigned.k >= 2, f"{db}: {assigned.k} segment(s)")
        if input_source is not None:
            expected_source = ctx.substitutions.get(input_source, input_source)
            expect(latest.input_source == expected_source,
                   f"{db} read {latest.input_source}, expected {expected_source}")
        if features is not None:
            used = set(query(path, "select distinct feature_name from ml_feature_scaling")
                       .feature_name)
            expect(used == features, f"{db} clustered on {sorted(used)}")
        manifest = PROJECT_DIR / ctx.substitutions.get(export_dir, export_dir) / "manifest.json"
        expect(manifest.exists(), f"nothing published: no {manifest}")
    return check


def files_written(*paths: str):
    def check(example: Example, result: Result, ctx: Context) -> None:
        expect(result.returncode == 0, "the command failed")
        for path in paths:
            target = PROJECT_DIR / ctx.substitutions.get(path, path)
            expect(target.exists() and (target.is_dir() or target.stat().st_size > 0),
                   f"{target} was not written")
    return check


def ran(example: Example, result: Result, ctx: Context) -> None:
    expect(result.returncode == 0, "the example failed")


def published_formats(folder: str):
    def check(example: Example, result: Result, ctx: Context) -> None:
        built("my_company.duckdb", folder, input_source="/path/to/folder")(example, result, ctx)
        root = Path(ctx.substitutions[folder])
        for name in ["parquet", "csv", "segmentation_marts.duckdb", "segmentation.hyper"]:
            expect((root / name).exists(), f"export_formats did not write {root / name}")
    return check


def mf_validated(example: Example, result: Result, ctx: Context) -> None:
    expect(result.returncode == 0, "segmentation mf failed")
    expect(result.stdout.count("Successfully validated") == 6, "mf validate-configs: not 6 passes")
    expect("revenue" in result.stdout and "customer__segment_name" in result.stdout,
           "mf list did not show the revenue metric and its segment dimension")


def prints_documented_table(example: Example, result: Result, ctx: Context) -> None:
    """The command prints the table the doc shows right below it, to the last digit."""
    expect(result.returncode == 0, "the command failed")
    expect(example.output is not None, "no output block follows the example")
    shown = [line.rstrip() for line in example.output.strip("\n").splitlines()]
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    start = next((i for i, line in enumerate(printed) if line == shown[0]), None)
    expect(start is not None, f"the header {shown[0]!r} was not printed")
    got = printed[start:start + len(shown)]
    more = [line for line in printed[start + len(shown):start + len(shown) + 1] if line.strip()]
    expect(got == shown and not more, "the doc shows\n" + "\n".join(shown)
           + "\nthe command printed\n" + "\n".join(printed[start:start + len(shown) + 5]))


def history_of_three(db: str, export_dir: str, modes: list[str]):
    def check(example: Example, result: Result, ctx: Context) -> None:
        built(db, export_dir, runs=3, modes=modes, input_source="demo seeds")(example, result, ctx)
        moved = query(PROJECT_DIR / db, "select count(distinct to_run_id) as n "
                                        "from segment_migration").iloc[0].n
        expect(moved == 2, f"{db}: migration between {moved} pairs of runs, expected 2")
    return check


def scored_after(db: str, export_dir: str):
    def check(example: Example, result: Result, ctx: Context) -> None:
        built(db, export_dir, runs=4, modes=["fit", "fit", "fit", "score"],
              input_source="demo seeds")(example, result, ctx)
    return check


def cross_sell_tables(example: Example, result: Result, ctx: Context) -> None:
    built("/tmp/shop/shop.duckdb", "/tmp/shop/exports",
          input_source="/tmp/shop")(example, result, ctx)
    offers = query("/tmp/shop/shop.duckdb", "select count(*) as n from customer_next_category")
    expect(offers.iloc[0].n > 0, "cross_sell: true built no customer_next_category rows")


def printed_rows(minimum_tables: int):
    """A python example printed at least this many non-empty DuckDB tables."""
    def check(example: Example, result: Result, ctx: Context) -> None:
        expect(result.returncode == 0, "the example failed")
        tables = result.stdout.count("┌")
        expect(tables >= minimum_tables, f"{tables} tables printed, expected {minimum_tables}")
        # "10 rows" is not an empty result.
        expect(not re.search(r"(?<!\d)0 rows", result.stdout), "a query printed no rows")
    return check


def seeds_reproduced(example: Example, result: Result, ctx: Context) -> None:
    expect(result.returncode == 0, "the generator failed")
    changed = subprocess.run(["git", "status", "--porcelain", "--", "seeds/demo"],
                             cwd=PROJECT_DIR, capture_output=True, text=True).stdout
    expect(not changed.strip(), "regenerating the demo seeds changed them:\n" + changed)


def pictures_of_every_section(example: Example, result: Result, ctx: Context) -> None:
    expect(result.returncode == 0, "the screenshot command failed")
    written = {p.name for p in (ctx.scratch / "images").glob("report-*.png")}
    committed = {p.name for p in (PROJECT_DIR / "docs" / "images").glob("report-*.png")}
    expect(written == committed, f"wrote {sorted(written)}, docs/images has {sorted(committed)}")


def warehouse_tables(ctx: Context) -> None:
    """The shop of /path/to/folder as tables crm.customer_master and crm.order_lines of
    warehouse.duckdb: the company's data already in the warehouse."""
    folder = Path(ctx.substitutions["/path/to/folder"])
    with duckdb.connect(str(PROJECT_DIR / "warehouse.duckdb")) as con:
        con.execute("create schema if not exists crm")
        for table, name in [("customer_master", "customers.csv"), ("order_lines", "orders.csv")]:
            con.register("incoming", con.read_csv(str(folder / name)))
            con.execute(f"create or replace table crm.{table} as select * from incoming")
            con.unregister("incoming")


def spark_warehouse_tables(ctx: Context) -> None:
    """The shop of /path/to/folder as tables crm.customers and crm.orders of the Spark
    warehouse the example names (python_tests/spark_tables.py loads them)."""
    shutil.rmtree("/tmp/spark-warehouse", ignore_errors=True)
    subprocess.run([sys.executable, str(PROJECT_DIR / "python_tests" / "spark_tables.py"), "load",
                    "/tmp/spark-warehouse", ctx.substitutions["/path/to/folder"]],
                   check=True, capture_output=True)


def built_on_spark(example: Example, result: Result, ctx: Context) -> None:
    expect(result.returncode == 0, "the Spark build failed")
    expect("ERROR=0" in result.stdout and "Done. PASS=" in result.stdout,
           "dbt did not end with ERROR=0")
    expect("Reading customers from table crm.customers" in result.stdout,
           "the build did not read crm.customers")
    for model in ("python table model segmentation.ml_kmeans_models",
                  "sql table model segmentation.dim_customer_segments",
                  "sql incremental model segmentation.customer_segment_history"):
        expect(f"OK created {model}" in result.stdout, f"the build did not create {model}")


def schedule(example: Example, result: Result, ctx: Context) -> None:
    built("scheduled.duckdb", "exports_scheduled", runs=1, modes=["score"],
          input_source="/path/to/folder")(example, result, ctx)
    fit_run = query(PROJECT_DIR / "scheduled.duckdb",
                    "select max(run_id) as run_id from ml_fit_run").iloc[0].run_id
    expect(fit_run is not None, "the schedule's score build found no fit")


BENCHMARK = ("the benchmark: over ten minutes and gigabytes of generated data; the doc gives "
             "each figure with the command and commit that produced it")

# Every example of the docs, in document order. match: a substring only that block holds.
RULES = [
    Rule("README.md", "pip install -e \".[dev]\" && dbt build",
         skip="README commands 1 and 2: .ci/run runs them itself, and this script runs after 1"),
    Rule("README.md", "my_company.duckdb dbt build",
         check=built("my_company.duckdb", "exports_my_company", input_source="/path/to/folder")),
    Rule("README.md", "segmentation-demo-data --customers 500",
         check=built("/tmp/shop/shop.duckdb", "/tmp/shop/exports", input_source="/tmp/shop")),
    Rule("README.md", "warehouse.duckdb dbt build", setup=warehouse_tables,
         check=built("warehouse.duckdb", "exports_warehouse",
                     input_source="table crm.customer_master")),
    Rule("README.md", "cd integration_tests && DBT_PROFILES_DIR=. dbt deps",
         check=built("integration_tests/host.duckdb", "integration_tests/host_exports",
                     input_source="model host_customers")),
    Rule("README.md", "dbt build --target spark", setup=spark_warehouse_tables,
         check=built_on_spark),
    Rule("README.md", "mall.duckdb dbt build",
         check=built("mall.duckdb", "exports_mall", input_source="/data/mall",
                     features={"annual_income", "spending_score"})),
    Rule("README.md", "segmentation report --db segmentation.duckdb",
         check=files_written("report.html", "segment-quality.md")),
    Rule("README.md", "history_demo.duckdb dbt build",
         check=history_of_three("history_demo.duckdb", "exports_history_demo",
                                ["fit", "fit", "score"])),
    Rule("README.md", "from segment_profiles order by segment_id", check=printed_rows(3)),
    Rule("README.md", "from customers_at_risk order by risk_rank", check=printed_rows(2)),
    Rule("README.md", "cross_sell: true", check=cross_sell_tables),
    Rule("README.md", "from segment_category_affinity", check=printed_rows(2)),
    Rule("DEVELOPERS.md", "pytest -q                      # package tests",
         skip="the tests and lint: .ci/run runs them"),
    Rule("DEVELOPERS.md", "python -m segmentation.demo --customers 3000", check=seeds_reproduced),
    Rule("docs/benchmark.md", "--sizes 10000 100000 1000000", skip=BENCHMARK),
    Rule("docs/benchmark.md", "engine_benchmark.py --customers 100000",
         skip=BENCHMARK + "; on DuckDB and on local Spark (about 10 minutes)"),
    Rule("docs/benchmark.md", "--repeats 2            # at ffe3acd", skip=BENCHMARK),
    Rule("docs/benchmark.md", "# at 83e3b95", skip=BENCHMARK + "; this one of an old commit"),
    Rule("docs/benchmark.md", "<checkout of 6ceaadc>", skip=BENCHMARK + "; of an old commit"),
    Rule("docs/benchmark.md", "--repeats 3\n", skip=BENCHMARK),
    Rule("docs/benchmark.md", "bench/profile_build.py", skip=BENCHMARK + "; a profile of it"),
    Rule("docs/bi-guide.md", "pip install -e \".[tableau]\"",
         check=files_written("exports/segmentation.hyper")),
    Rule("docs/bi-guide.md", "/srv/bi/segmentation",
         check=published_formats("/srv/bi/segmentation")),
    Rule("docs/bi-guide.md", "-- Segment overview", database="exports/segmentation_marts.duckdb"),
    Rule("docs/bi-guide.md", "exports/parquet/dim_customer_segments.parquet",
         database="exports/segmentation_marts.duckdb"),
    Rule("docs/engines.md", "openjdk-17-jre-headless",
         skip=".ci/run installs the spark extra and Java itself, before this script"),
    Rule("docs/engines.md", "dbt build --target spark",
         skip="the same command as README's Spark example, which runs above"),
    Rule("docs/history.md", "as_of_date: \"2025-06-30\"",
         check=history_of_three("history_quarterly.duckdb", "exports_history_quarterly",
                                ["fit", "fit", "fit"])),
    Rule("docs/history.md", "select run_id, run_mode, chosen_k",
         database="history_quarterly.duckdb"),
    Rule("docs/history.md", "2026-01-31",
         check=scored_after("history_quarterly.duckdb", "exports_history_quarterly")),
    Rule("docs/history.md", "date -d yesterday", check=schedule),
    Rule("docs/report.md", "dev/report_screenshots.py", check=pictures_of_every_section),
    Rule("docs/semantic-layer.md", "segmentation mf validate-configs", check=mf_validated),
    Rule("docs/semantic-layer.md", "--db /tmp/shop/shop.duckdb query", check=ran),
    Rule("docs/semantic-layer.md", "revenue_per_customer \\", check=prints_documented_table),
    Rule("docs/semantic-layer.md", "metric_time__month --start-time",
         check=prints_documented_table),
    Rule("docs/semantic-layer.md", "High-Value Regulars'", check=prints_documented_table),
]


# --------------------------------------------------------------------------- data for placeholders

def write_mall_csv(folder: Path, customers: int = 200, seed: int = 7) -> None:
    """Mall customers as the Kaggle file has them: five income/spending groups."""
    rng = np.random.default_rng(seed)
    centres = [(25, 20), (25, 80), (55, 50), (90, 18), (88, 82)]
    group = rng.integers(0, len(centres), customers)
    income = np.array([centres[g][0] for g in group]) + rng.normal(0, 6, customers)
    score = np.array([centres[g][1] for g in group]) + rng.normal(0, 7, customers)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "CustomerID": np.arange(1, customers + 1),
        "Gender": rng.choice(["Male", "Female"], customers),
        "Age": rng.integers(18, 70, customers),
        "Annual Income (k$)": np.clip(income, 15, 140).round().astype(int),
        "Spending Score (1-100)": np.clip(score, 1, 99).round().astype(int),
    }).to_csv(folder / "customers.csv", index=False)


def prepare(ctx: Context) -> None:
    shop = ctx.scratch / "my_company_export"
    subprocess.run([tool("segmentation-demo-data"), "--customers", "3000", "--shape", "realistic",
                    "--out", str(shop)], check=True, capture_output=True)
    mall = ctx.scratch / "mall"
    write_mall_csv(mall)
    ctx.substitutions.update({
        "/path/to/folder": str(shop),
        "/data/mall": str(mall),
        "/srv/bi/segmentation": str(ctx.scratch / "srv-bi" / "segmentation"),
        # The committed pictures stay as they are; the command writes beside them.
        "--out docs/images": f"--out {ctx.scratch / 'images'}",
    })


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def substitute(text: str, ctx: Context) -> str:
    """The placeholders replaced by the scratch paths (no spaces or quotes in them, so
    they stand in YAML and shell as the placeholders did)."""
    for placeholder, value in ctx.substitutions.items():
        text = text.replace(placeholder, value)
    return text


# --------------------------------------------------------------------------- running

def run_example(example: Example, rule: Rule, ctx: Context) -> Result:
    started = time.monotonic()
    if example.language in {"bash", "sh"}:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c",
                               substitute(example.text, ctx)],
                              cwd=PROJECT_DIR, env=ctx.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
    elif example.language == "python":
        done = subprocess.run([sys.executable, "-c", substitute(example.text, ctx)],
                              cwd=PROJECT_DIR, env=ctx.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
    else:
        return run_sql(example, rule, started)
    return Result(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def run_sql(example: Example, rule: Rule, started: float) -> Result:
    """Each statement of the block on the database the doc names, read-only."""
    statements = [s.strip() for s in example.text.split(";") if s.strip()
                  and not all(line.strip().startswith("--") for line in s.strip().splitlines())]
    out = []
    try:
        with duckdb.connect(str(PROJECT_DIR / rule.database), read_only=True) as con:
            for statement in statements:
                rows = con.execute(statement).fetchall()
                out.append(f"{len(rows)} rows: {statement.splitlines()[0]}")
    except duckdb.Error as error:
        return Result(1, "\n".join(out), str(error), time.monotonic() - started)
    return Result(0, "\n".join(out), "", time.monotonic() - started)


def demo_fingerprint() -> dict[str, str]:
    """What README command 1 left: the demo's segments and runs, and its published files."""
    db = PROJECT_DIR / "segmentation.duckdb"
    expect(db.exists(), "no segmentation.duckdb: run README command 1 first")
    state = {}
    for name, sql in {
        "segments": "select customer_id, segment_id, segment_name from dim_customer_segments "
                    "order by customer_id",
        "profiles": "select * exclude (segment_stability) from segment_profiles order by 1",
        "runs": "select * from segmentation_runs order by run_id",
    }.items():
        state[name] = hashlib.sha256(query(db, sql).to_csv().encode()).hexdigest()
    exports = PROJECT_DIR / "exports"
    for path in sorted(exports.rglob("*")):
        if path.is_file() and path.relative_to(exports).as_posix() not in DEMO_EXPORT_ADDITIONS:
            state[f"exports/{path.relative_to(exports)}"] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return state


def match_rules(examples: list[Example]) -> tuple[list[tuple[Example, Rule]], list[str]]:
    problems, pairs, used = [], [], set()
    for example in examples:
        found = [i for i, rule in enumerate(RULES)
                 if rule.doc == example.doc and rule.match in example.text]
        if len(found) != 1:
            problems.append(f"{example.doc}:{example.line}: {len(found)} entries of RULES in "
                            f"{Path(__file__).name} match this {example.language} example "
                            "(exactly one must: run it with a check, or skip it with a reason)")
            continue
        used.add(found[0])
        pairs.append((example, RULES[found[0]]))
    for i, rule in enumerate(RULES):
        if i not in used:
            problems.append(f"RULES entry {rule.doc} {rule.match!r} matches no example: "
                            "the doc changed; update the entry")
    return pairs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true",
                        help="list the examples and what is done with each, run nothing")
    parser.add_argument("--only", metavar="DOC",
                        help="run the examples of this document only (e.g. docs/history.md); "
                             "an example may need one of an earlier document")
    args = parser.parse_args(argv)
    os.chdir(PROJECT_DIR)  # the examples' relative paths are the project root's

    examples = [example for doc in DOCS for example in extract(doc)]
    pairs, problems = match_rules(examples)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.list:
        for example, rule in pairs:
            print(f"{example.doc}:{example.line} {example.language}: "
                  + (f"skip ({rule.skip})" if rule.skip else "run"))
        return 0

    for name in [] if args.only else EXAMPLE_OUTPUTS:
        path = PROJECT_DIR / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    before = demo_fingerprint()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="doc-examples-") as scratch:
        venv_bin = str(Path(sys.executable).parent)
        env = {**os.environ, "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
               "DBT_USE_COLORS": "false", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env.pop("SEGMENTATION_DUCKDB_PATH", None)
        ctx = Context(scratch=Path(scratch), env=env)
        prepare(ctx)
        for example, rule in pairs:
            where = f"{example.doc}:{example.line}"
            if args.only and example.doc != args.only:
                continue
            if rule.skip:
                print(f"skip {where}: {rule.skip}")
                continue
            if rule.setup:
                rule.setup(ctx)
            result = run_example(example, rule, ctx)
            try:
                expect(result.returncode == 0, f"exit code {result.returncode}")
                (rule.check or ran)(example, result, ctx)
            except (CheckFailed, duckdb.Error) as error:
                failures += 1
                print(f"FAIL {where} ({result.seconds:.0f} s): {error}\n--- example\n"
                      f"{example.text}--- stdout (end)\n{result.stdout[-3000:]}\n"
                      f"--- stderr (end)\n{result.stderr[-3000:]}", flush=True)
                continue
            print(f"ok   {where} ({result.seconds:.0f} s)", flush=True)
    after = demo_fingerprint()
    changed = sorted(key for key in before.keys() | after.keys()
                     if before.get(key) != after.get(key))
    if changed:
        failures += 1
        print("FAIL the examples changed the demo's results: " + ", ".join(changed))
    else:
        print("ok   the demo's segmentation.duckdb and exports/ are as README command 1 left them")
    print(f"{failures} failure(s)" if failures else "every example ran and passed its check")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
