"""dev/check_portability.py: DuckDB-only SQL outside dispatched macros is found, and the
project has none."""

from __future__ import annotations

import importlib.util
import sys

from dbt_runner import PROJECT_DIR

_spec = importlib.util.spec_from_file_location(
    "check_portability", PROJECT_DIR / "dev" / "check_portability.py")
check_portability = importlib.util.module_from_spec(_spec)
sys.modules["check_portability"] = check_portability
_spec.loader.exec_module(check_portability)


def test_duckdb_only_sql_is_found_outside_duckdb_macros_only(tmp_path):
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "m.sql").write_text(
        "{% macro slug(x) %}\n"
        "    {{ return(adapter.dispatch('slug', 'p')(x)) }}\n"
        "{% endmacro %}\n"
        "{% macro duckdb__slug(x) %}\n"
        "    regexp_replace({{ x }}, '[^a-z]+', '_', 'g') -- fine here\n"
        "{% endmacro %}\n"
        "{% macro default__slug(x) %}\n"
        "    {#- list_value( in a comment is not code -#}\n"
        "    trim(x)\n"
        "{% endmacro %}\n"
        "{% macro helper(x) %}\n"
        "    select * exclude (a), row_number() over () from t\n"
        "{% endmacro %}\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text(
        "select \"recency_days\" from {{ ref('x') }} where name = 'say \"hi\"'\n")
    found = {(path, line, name) for path, line, name, _ in check_portability.findings(tmp_path)}
    assert found == {("macros/m.sql", 12, "exclude"), ("macros/m.sql", 12, "unordered_row_number"),
                     ("models/a.sql", 1, "literal_double_quotes")}


def test_an_engine_choice_in_dbt_project_yml_is_not_a_finding(tmp_path):
    (tmp_path / "dbt_project.yml").write_text(
        "a:\n  +incremental_strategy: \"{{ 'merge' if target.type == 'spark'"
        " else 'delete+insert' }}\"\n"
        "b:\n  +incremental_strategy: delete+insert\n")
    found = {(path, line, name) for path, line, name, _ in check_portability.findings(tmp_path)}
    assert found == {("dbt_project.yml", 4, "delete_insert")}


def test_the_project_has_no_duckdb_only_sql_outside_dispatched_macros(capsys):
    assert check_portability.main([]) == 0, capsys.readouterr().err
