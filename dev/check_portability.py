"""DuckDB-only SQL outside dispatched macros: listed, and none allowed.

The project's SQL must run on DuckDB and on warehouse engines (Spark first):
engine-specific SQL belongs in a dispatched macro (``duckdb__<name>``, with
``spark__`` and ``default__`` beside it). This script reads every model and
macro (and dbt_project.yml), leaves out the bodies of dispatched macros
(``duckdb__``, ``spark__``, ``default__``, ...), Jinja comments and SQL
comments, and lists each construct below that Spark (and most warehouses) does
not read the same way, with file and line. CI runs it: any finding fails.

    python dev/check_portability.py
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

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

# The engine implementations of a dispatched macro (adapter.dispatch picks one
# per engine): engine-specific SQL belongs there.
DISPATCHED = re.compile(r"(default|duckdb|spark|databricks|snowflake|bigquery|postgres|redshift|"
                        r"trino|fabric|sqlserver)__\w+")
MACRO_BLOCK = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(.*?{%-?\s*endmacro\s*-?%}", re.S)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.S)
SQL_COMMENT = re.compile(r"--[^\n]*")


def _blank(match: re.Match) -> str:
    """The matched text as spaces and newlines, so line numbers stay true."""
    return re.sub(r"[^\n]", " ", match.group(0))


def scannable(text: str) -> str:
    text = JINJA_COMMENT.sub(_blank, text)
    text = SQL_COMMENT.sub(_blank, text)
    return MACRO_BLOCK.sub(lambda m: _blank(m) if DISPATCHED.match(m.group(1)) else m.group(0),
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
            # A strategy chosen per engine (a Jinja expression on target.type) is dispatch.
            yaml_text = "\n".join("" if "target.type" in line else line
                                   for line in text.split("\n"))
            checks = [(name, pattern, yaml_text) for name, pattern, _ in checks
                      if name == "delete_insert"]
        for name, pattern, scanned in checks:
            if (str(path.relative_to(root)), name) in NOT_SQL:
                continue
            for match in re.finditer(pattern, scanned, re.I | re.S):
                line = scanned.count("\n", 0, match.start()) + 1
                code = path.read_text().splitlines()[line - 1].strip()
                found.append((str(path.relative_to(root)), line, name, code))
    return found


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    found = findings()
    why = {name: reason for name, (_, reason) in {**CONSTRUCTS, **SQL_ONLY}.items()}
    for path, line, name, code in found:
        print(f"{path}:{line}: {name}: {code[:110]}\n    {why[name]}: put it in a duckdb__ "
              "macro with a spark__ and default__ beside it", file=sys.stderr)
    print(f"{len(found)} DuckDB-only construct(s) outside dispatched macros"
          + (f" in {len({path for path, *_ in found})} file(s)" if found else ""))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
