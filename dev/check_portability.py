"""DuckDB-only SQL outside dispatched macros: listed, and not allowed to grow.

The project's SQL must run on DuckDB and on warehouse engines (Spark first):
engine-specific SQL belongs in a dispatched macro (``duckdb__<name>``, with
``spark__`` and ``default__`` beside it). This script reads every model and
macro (and dbt_project.yml), leaves out the bodies of ``duckdb__`` macros, Jinja comments and SQL
comments, and lists each construct below that Spark (and most warehouses)
does not read the same way, with file and line.

Moving the SQL behind dispatch is work in progress (issue 17), so the check is
a ratchet: ``dev/portability_baseline.json`` holds today's count per file and
construct, and the run fails when any count grows (new DuckDB-only SQL) and
asks for the baseline to be lowered when one shrinks, so the list only gets
shorter.

    python dev/check_portability.py            # list, compare with the baseline
    python dev/check_portability.py --update   # write the baseline (after removing some)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASELINE = PROJECT_DIR / "dev" / "portability_baseline.json"

# name: (pattern, what Spark does instead)
CONSTRUCTS = {
    "file_reader": (r"\b(read_csv|read_parquet|read_blob|read_text|read_json|glob)\s*\(",
                    "DuckDB table functions over files; Spark reads tables"),
    "strptime": (r"\b(try_)?strptime\s*\(", "Spark: to_date / to_timestamp with a pattern"),
    "list_function": (r"\b(list_\w+|array_length|unnest|generate_series|string_split)\s*\(",
                      "DuckDB list functions; Spark: array functions, explode"),
    "aggregate": (r"\b(string_agg|arg_max|arg_min|quantile_cont|quantile_disc|approx_quantile|"
                  r"mode|list|histogram|bool_and|bool_or)\s*\(",
                  "DuckDB aggregates; Spark: collect_list, max_by, percentile, ..."),
    "exclude": (r"\*\s*exclude\s*\(", "Spark has no SELECT * EXCLUDE"),
    "double_colon_cast": (r"::\s*[a-z]", "Spark reads no :: cast; use cast(x as t)"),
    "regexp_flags": (r"regexp_replace\s*\([^()]*(\([^()]*\)[^()]*)*,\s*'g'\s*\)",
                     "Spark's 4th argument of regexp_replace is a position, not flags"),
    "unordered_row_number": (r"row_number\s*\(\s*\)\s*over\s*\(\s*\)",
                             "Spark needs an ORDER BY in row_number's window"),
    "json_object": (r"\bjson_object\s*\(", "Spark: to_json(named_struct(...))"),
    "duckdb_catalog": (r"\b(duckdb_\w+|current_setting|pragma_\w+)\s*\(",
                       "DuckDB's own catalog and settings functions"),
    "epoch": (r"\bepoch(_ms|_us)?\s*\(", "Spark: unix_timestamp"),
    "date_diff": (r"\bdate_diff\s*\(", "Spark: datediff(end, start) in days"),
    "listagg_order": (r"dbt\.listagg\((?:(?!}}).)*?order by",
                      "dbt.listagg drops its ORDER BY on Spark: names come out in any order"),
    "delete_insert": (r"delete\+insert",
                      "dbt-spark has no delete+insert incremental strategy: merge or "
                      "insert_overwrite"),
    "hand_quoted_name": (r"""'"'\s*~""",
                         "a name in double quotes built by hand: Spark reads it as a string; "
                         "use quoted_name (adapter.quote)"),
}
# Checked in the SQL text only, outside Jinja tags (where " delimits Python strings).
SQL_ONLY = {
    "literal_double_quotes": (r'"[A-Za-z_][A-Za-z0-9_ ]*"',
                              "Spark reads \"x\" as a string; quote names with adapter.quote"),
}
JINJA_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.S)
SQL_STRING = re.compile(r"'(?:[^']|'')*'")
# Matches that are not SQL, with the reason.
NOT_SQL = {
    ("macros/validation/vars.sql", "hand_quoted_name"):
        "var_repr quotes a var's value for an error message, not a name in SQL",
}

MACRO_BLOCK = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(.*?{%-?\s*endmacro\s*-?%}", re.S)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.S)
SQL_COMMENT = re.compile(r"--[^\n]*")


def _blank(match: re.Match) -> str:
    """The matched text as spaces and newlines, so line numbers stay true."""
    return re.sub(r"[^\n]", " ", match.group(0))


def scannable(text: str) -> str:
    text = JINJA_COMMENT.sub(_blank, text)
    text = SQL_COMMENT.sub(_blank, text)
    return MACRO_BLOCK.sub(lambda m: _blank(m) if m.group(1).startswith("duckdb__") else m.group(0),
                           text)


def findings(root: Path = PROJECT_DIR) -> list[tuple[str, int, str, str]]:
    """(file, line, construct, the code) for every DuckDB-only construct under root."""
    found = []
    paths = sorted([*root.glob("models/**/*.sql"), *root.glob("macros/**/*.sql"),
                    *root.glob("dbt_project.yml")])
    for path in paths:
        text = scannable(path.read_text())
        sql_text = SQL_STRING.sub(_blank, JINJA_TAG.sub(_blank, text))
        checks = [(name, pattern, text) for name, (pattern, _) in CONSTRUCTS.items()]
        checks += [(name, pattern, sql_text) for name, (pattern, _) in SQL_ONLY.items()]
        if path.name == "dbt_project.yml":
            checks = [check for check in checks if check[0] == "delete_insert"]
        for name, pattern, scanned in checks:
            if (str(path.relative_to(root)), name) in NOT_SQL:
                continue
            for match in re.finditer(pattern, scanned, re.I | re.S):
                line = scanned.count("\n", 0, match.start()) + 1
                code = path.read_text().splitlines()[line - 1].strip()
                found.append((str(path.relative_to(root)), line, name, code))
    return found


def counts(found) -> dict[str, int]:
    return dict(sorted(Counter(f"{path} {name}" for path, _, name, _ in found).items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the baseline")
    args = parser.parse_args(argv)
    found = findings()
    current = counts(found)
    for path, line, name, code in found:
        print(f"{path}:{line}: {name}: {code[:110]}")
    print(f"{len(found)} DuckDB-only construct(s) outside duckdb__ macros in "
          f"{len({path for path, *_ in found})} file(s)")
    if args.update:
        BASELINE.write_text(json.dumps(current, indent=1) + "\n")
        print(f"wrote {BASELINE.relative_to(PROJECT_DIR)}")
        return 0
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    grown = {k: (baseline.get(k, 0), v) for k, v in current.items() if v > baseline.get(k, 0)}
    shrunk = {k: (v, current.get(k, 0)) for k, v in baseline.items() if current.get(k, 0) < v}
    why = {name: reason for name, (_, reason) in {**CONSTRUCTS, **SQL_ONLY}.items()}
    for key, (was, now) in grown.items():
        print(f"NEW {key}: {now} (baseline {was}): put it in a duckdb__ macro with a "
              f"spark__ and default__ beside it ({why[key.split()[1]]})", file=sys.stderr)
    for key, (was, now) in shrunk.items():
        print(f"FEWER {key}: {now} (baseline {was}): lower the baseline with --update",
              file=sys.stderr)
    return 1 if grown or shrunk else 0


if __name__ == "__main__":
    raise SystemExit(main())
