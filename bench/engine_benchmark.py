"""The same build on DuckDB and on local Spark, side by side, from tables.

For one size (number of customers) this script

1. generates the benchmark's synthetic company as Parquet (``run_benchmark.ensure_data``,
   shared with bench/run_benchmark.py: ``bench/data/<size>/``);
2. loads it as tables ``crm.customers`` and ``crm.orders`` into a fresh DuckDB file
   and into a fresh local Spark warehouse (not measured as the build: loading is
   the company's own pipeline; its time is reported apart);
3. runs ``dbt build --vars '{input_schema: crm, export_dir: null}'`` on each engine
   (``--target spark``: dbt-spark, method session, the Python models in the driver)
   as one measured subprocess: wall time, CPU time, and peak memory as the largest
   sum of resident memory over the process tree (dbt's Python process and, on
   Spark, its JVM), polled;
4. compares every customer's segment on the two engines;
5. writes ``bench/results/engines_latest.md`` and prints it.

Usage::

    python bench/engine_benchmark.py --customers 100000

Needs pip install -e ".[dev,spark]" and a Java runtime (Debian: openjdk-17-jre-headless).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmark import (  # noqa: E402
    PROJECT_ROOT,
    _dbt_executable,
    _quiet_dbt_env,
    ensure_data,
    machine_info,
    measure,
)

SPARK_LOADER = """
import sys
from pyspark.sql import SparkSession
warehouse, data = sys.argv[1], sys.argv[2]
spark = (SparkSession.builder.master("local[*]")
         .config("spark.sql.warehouse.dir", warehouse)
         .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
         .config("spark.ui.enabled", "false").enableHiveSupport().getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
spark.sql("create database if not exists crm")
for name in ("customers", "orders"):
    spark.read.parquet(f"{data}/{name}.parquet").write.mode("overwrite").saveAsTable(f"crm.{name}")
if len(sys.argv) > 3:  # dump: customer_id, segment_id of the build
    spark.table("segmentation.dim_customer_segments").select("customer_id", "segment_id") \\
        .toPandas().to_parquet(sys.argv[3])
spark.stop()
"""
VARS = {"input_schema": "crm", "export_dir": None}


def _load_duckdb(database: Path, data: Path) -> float:
    start = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute("create schema crm")
        for name in ("customers", "orders"):
            con.execute(f"create table crm.{name} as select * from read_parquet(?)",
                        [str(data / f"{name}.parquet")])
    return time.perf_counter() - start


def _spark(script_args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", SPARK_LOADER, *script_args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(size: int, *, poll_interval: float, driver_memory: str) -> dict:
    data = PROJECT_ROOT / "bench" / "data" / str(size)
    dataset = ensure_data(size, data, mean_order_lines=20.0, seed=42, regenerate=False)
    work = data / "engines"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    report = {"size": size, "dataset": dataset, "engines": {}}

    database = work / "duckdb.duckdb"
    loaded = _load_duckdb(database, data)
    env = _quiet_dbt_env(database)
    command = [_dbt_executable(), "build", "--vars", json.dumps(VARS),
               "--target-path", str(work / "duckdb_target"), "--log-path", str(work / "logs")]
    stats = measure(command, cwd=PROJECT_ROOT, env=env, log_path=work / "duckdb_build.log",
                    poll_interval=poll_interval)
    report["engines"]["duckdb"] = {"load_seconds": loaded, "stats": stats.__dict__}

    warehouse = work / "spark-warehouse"
    loaded = _spark([str(warehouse), str(data)])
    env = {**_quiet_dbt_env(database), "SEGMENTATION_SPARK_WAREHOUSE": str(warehouse),
           "SEGMENTATION_SPARK_DRIVER_MEMORY": driver_memory}
    command = [_dbt_executable(), "build", "--target", "spark", "--vars", json.dumps(VARS),
               "--target-path", str(work / "spark_target"), "--log-path", str(work / "logs")]
    stats = measure(command, cwd=PROJECT_ROOT, env=env, log_path=work / "spark_build.log",
                    poll_interval=poll_interval)
    report["engines"]["spark"] = {"load_seconds": loaded, "stats": stats.__dict__}

    if all(engine["stats"]["returncode"] == 0 for engine in report["engines"].values()):
        dumped = work / "spark_segments.parquet"
        _spark([str(warehouse), str(data), str(dumped)])
        with duckdb.connect(str(database), read_only=True) as con:
            same, total = con.execute(
                "select count(*) filter (where d.segment_id = s.segment_id), count(*) "
                "from dim_customer_segments d full join read_parquet(?) s using (customer_id)",
                [str(dumped)]).fetchone()
        report["same_segment"] = {"customers": total, "same": same}
    return report


def render(report: dict, command: str, machine: dict) -> str:
    dataset = report["dataset"]
    lines = [
        f"# Engines side by side: {report['size']:,} customers",
        "",
        f"`{command}` on {dt.date.today().isoformat()}, commit {machine['git_commit']}"
        f"{' (with uncommitted changes)' if machine['git_uncommitted_files'] else ''}; "
        f"{machine['cpus_usable']} cores ({machine['cpu_model']}), "
        f"{machine['memory_bytes'] / 2**30:.0f} GiB.",
        "",
        f"Input: {dataset['customers']:,} customers and {dataset['order_lines']:,} order lines "
        "as tables `crm.customers` and `crm.orders`. Each build is `dbt build` of the whole "
        "project (fit, scoring, marts, history; no publication to files), from a fresh "
        "database or warehouse. Memory and CPU are polled over the build's process tree "
        "(dbt's Python process and, on Spark, the JVM it starts and pyspark's workers): CPU "
        "sums every process's user and system time; PSS counts a page shared between "
        "processes once (forked workers share theirs), RSS counts it in each.",
        "",
        "| engine | build wall | CPU (all processes) | peak memory (PSS) | peak memory (RSS) | "
        "loading the tables (apart) | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, engine in report["engines"].items():
        stats = engine["stats"]
        lines.append(
            f"| {name} | {stats['wall_seconds']:.1f} s | "
            f"{stats['sampled_tree_cpu_seconds']:.1f} s | "
            f"{stats['sampled_tree_peak_pss_bytes'] / 1e9:.2f} GB | "
            f"{stats['sampled_tree_peak_bytes'] / 1e9:.2f} GB | {engine['load_seconds']:.1f} s | "
            f"{'ok' if stats['returncode'] == 0 else 'FAILED: ' + stats['log_path']} |")
    same = report.get("same_segment")
    if same:
        lines += ["", f"Customers in the same segment on both engines: {same['same']:,} of "
                      f"{same['customers']:,}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--poll-interval", type=float, default=0.2)
    parser.add_argument("--driver-memory", default="4g",
                        help="spark.driver.memory of the local Spark build (default 4g)")
    args = parser.parse_args(argv)
    command = "python bench/engine_benchmark.py " + " ".join(argv or sys.argv[1:])
    machine = machine_info(PROJECT_ROOT)  # the commit the builds ran on
    report = run(args.customers, poll_interval=args.poll_interval,
                 driver_memory=args.driver_memory)
    markdown = render(report, command.strip(), machine)
    results = PROJECT_ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "engines_latest.md").write_text(markdown)
    (results / "engines_latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(markdown)
    return 0 if all(e["stats"]["returncode"] == 0 for e in report["engines"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
