"""Where a build's CPU goes: one cold ``dbt build``, its CPU time per node.

run_benchmark.py measures a build from the outside (wall, CPU, peak memory).
This script answers the next question, what each node costs in CPU, which
wall times cannot answer when two dbt threads overlap and DuckDB runs every
query on both cores. It

1. runs one cold ``dbt build`` (fresh DuckDB file and target folder, full
   parse) on a size folder the benchmark made, with any extra dbt arguments
   (``--threads 1`` gives one node at a time, so each node's CPU is its own);
2. samples the process's CPU time (user + system, every thread: dbt's, the
   Python models', DuckDB's workers) from /proc every ``--interval`` seconds;
3. charges each node the CPU used between its start and its end in
   ``run_results.json`` (overlapping nodes share it when threads > 1);
4. prints the start-up (CPU before the first node), the totals per resource
   type and the costliest nodes.

Usage::

    python bench/profile_build.py --size-dir bench/data/1000000 -- --threads 1

Linux only (/proc).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmark import PROJECT_ROOT, _dbt_executable, _quiet_dbt_env  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of the process so far (all its threads), or None once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def profile(size_dir: Path, work_dir: Path, dbt_args: list[str],
            interval: float) -> tuple[list[tuple[float, float]], dict, float, int]:
    """Runs the build; (samples of (epoch, CPU s), run_results, wall s, exit code)."""
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    build_vars = {"export_dir": str(work_dir / "exports"), "input_dir": str(size_dir)}
    command = [
        _dbt_executable(), "build", "--vars", json.dumps(build_vars),
        "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        *dbt_args,
    ]
    started = time.time()
    with open(work_dir / "build.log", "w") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT,
                                   env=_quiet_dbt_env(work_dir / "bench.duckdb"))
        samples = []
        while process.poll() is None:
            cpu = _cpu_seconds(process.pid)
            if cpu is not None:
                samples.append((time.time(), cpu))
            time.sleep(interval)
    wall = time.time() - started
    results_path = work_dir / "target" / "run_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"results": []}
    return samples, results, wall, process.returncode


def _epoch(timestamp: str) -> float:
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def node_cpu(samples: list[tuple[float, float]], results: dict) -> list[dict]:
    """Per node: CPU seconds between its compile start and execute end, and that wall."""
    times = [moment for moment, _ in samples]

    def cpu_at(moment: float) -> float:
        index = bisect.bisect_left(times, moment)
        if index <= 0:
            return samples[0][1]
        if index >= len(samples):
            return samples[-1][1]
        (before, cpu_before), (after, cpu_after) = samples[index - 1], samples[index]
        return cpu_before + (cpu_after - cpu_before) * (moment - before) / (after - before)

    nodes = []
    for result in results["results"]:
        timing = {step["name"]: step for step in result["timing"]}
        if "compile" not in timing or "execute" not in timing:
            continue
        start = _epoch(timing["compile"]["started_at"])
        end = _epoch(timing["execute"]["completed_at"])
        nodes.append({"unique_id": result["unique_id"], "start": start,
                      "cpu": cpu_at(end) - cpu_at(start), "wall": end - start})
    return nodes


def report(samples: list[tuple[float, float]], nodes: list[dict], wall: float,
           returncode: int, top: int) -> str:
    lines = [f"exit {returncode}, wall {wall:.1f} s, process CPU {samples[-1][1]:.1f} s"]
    if nodes:
        first = min(node["start"] for node in nodes)
        before = [cpu for moment, cpu in samples if moment <= first]
        startup = before[-1] if before else 0.0
        lines.append(f"start-up and parse: {first - samples[0][0]:.1f} s wall, {startup:.1f} s CPU "
                     "(before the first node)")
    per_type: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for node in nodes:
        totals = per_type[node["unique_id"].split(".")[0]]
        totals[0] += node["cpu"]
        totals[1] += node["wall"]
        totals[2] += 1
    lines.append("")
    lines.append("| resource type | nodes | CPU s | wall s |")
    lines.append("|---|---:|---:|---:|")
    for kind, (cpu, node_wall, count) in sorted(per_type.items(), key=lambda item: -item[1][0]):
        lines.append(f"| {kind} | {count} | {cpu:.1f} | {node_wall:.1f} |")
    lines.append("")
    lines.append("| node | CPU s | wall s |")
    lines.append("|---|---:|---:|")
    for node in sorted(nodes, key=lambda node: -node["cpu"])[:top]:
        lines.append(f"| {node['unique_id'].split('.', 2)[-1]} | {node['cpu']:.2f} "
                     f"| {node['wall']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-dir", type=Path, required=True,
                        help="a folder run_benchmark.py generated (customers/orders parquet)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the DuckDB file, target and logs go "
                             "(default: <size-dir>/profile)")
    parser.add_argument("--interval", type=float, default=0.05, help="CPU sampling period, s")
    parser.add_argument("--top", type=int, default=25, help="nodes listed")
    parser.add_argument("dbt_args", nargs="*", help="extra dbt arguments, after --")
    args = parser.parse_args(argv)
    size_dir = args.size_dir.resolve()
    samples, results, wall, returncode = profile(
        size_dir, (args.work_dir or size_dir / "profile").resolve(), args.dbt_args, args.interval)
    if not samples:
        print(f"the build ended before it could be sampled (exit {returncode})")
        return returncode or 1
    print(report(samples, node_cpu(samples, results), wall, returncode, args.top))
    return returncode


if __name__ == "__main__":
    raise SystemExit(main())
