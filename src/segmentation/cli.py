"""The `segmentation` command: what an analyst runs after `dbt build`.

    segmentation report --db segmentation.duckdb --out report.html
    segmentation export-hyper --db segmentation.duckdb --out exports/segmentation.hyper
    segmentation quality --db segmentation.duckdb --out segment-quality.md
    segmentation mf --db segmentation.duckdb query --metrics revenue \
        --group-by customer__segment_name

report, export-hyper and quality read the marts from the DuckDB file read-only,
so they never take the write lock a running build needs (mf opens it as dbt does).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = os.environ.get("SEGMENTATION_DUCKDB_PATH", "segmentation.duckdb")


def _report(args: argparse.Namespace) -> int:
    from segmentation.report import write_report

    write_report(Path(args.db), Path(args.out), title=args.title,
                 progress=None if args.quiet else _progress)
    return 0


def _export_hyper(args: argparse.Namespace) -> int:
    from segmentation.tableau import write_hyper

    write_hyper(Path(args.db), Path(args.out),
                progress=None if args.quiet else _progress)
    return 0


def _quality(args: argparse.Namespace) -> int:
    from segmentation.quality import write_segment_quality

    write_segment_quality(Path(args.db), Path(args.out), title=args.title)
    return 0


def _mf(args: argparse.Namespace) -> int:
    from segmentation.semantic import run_mf

    return run_mf(Path(args.db), args.mf_args, progress=_progress)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


DB_HELP = ("DuckDB file written by dbt build (default: %(default)s; the environment variable "
           "SEGMENTATION_DUCKDB_PATH sets the default, as it does for dbt)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segmentation", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    report = commands.add_parser(
        "report", help="write one self-contained HTML report of the segmentation")
    report.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    report.add_argument("--out", default="report.html", help="HTML file to write")
    report.add_argument("--title", default="Customer segmentation", help="report title")
    report.add_argument("--quiet", action="store_true", help="no progress lines")
    report.set_defaults(handler=_report)

    hyper = commands.add_parser(
        "export-hyper",
        help="write the public marts to a Tableau .hyper extract (extra: tableau)")
    hyper.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    hyper.add_argument("--out", default="exports/segmentation.hyper",
                       help=".hyper file to write")
    hyper.add_argument("--quiet", action="store_true", help="no progress lines")
    hyper.set_defaults(handler=_export_hyper)

    quality = commands.add_parser(
        "quality", help="write a Markdown page: how k was chosen, each segment and the "
        "member checks its name passed, RFM shares, the at-risk list")
    quality.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    quality.add_argument("--out", default="segment-quality.md", help="Markdown file to write")
    quality.add_argument("--title", default="Segment quality", help="page title")
    quality.set_defaults(handler=_quality)

    mf = commands.add_parser(
        "mf", help="run MetricFlow (mf) on the file named by --db, from the project root: "
        "first rewrites target/semantic_manifest.json (dbt parse) if it names another file",
        description="Run MetricFlow on any file this project built. mf reads "
        "target/semantic_manifest.json, which names the tables by the database of the file "
        "dbt last built or parsed; this command rewrites it for --db when it names another, "
        "then runs mf with the remaining arguments.")
    mf.add_argument("--db", default=DEFAULT_DB, help=DB_HELP)
    mf.add_argument("mf_args", nargs=argparse.REMAINDER,
                    help="mf's own arguments, e.g. query --metrics revenue --group-by "
                    "customer__segment_name")
    mf.set_defaults(handler=_mf)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (FileNotFoundError, ValueError, ImportError) as error:
        print(f"segmentation {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
