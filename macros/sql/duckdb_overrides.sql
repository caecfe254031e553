{#-
    Two of dbt's cross-database macros do the wrong thing on DuckDB, and
    dbt-duckdb does not override them (dbt_project.yml's dispatch puts these
    first):
      - safe_cast falls back to a plain cast, which fails the whole build on
        one bad value instead of yielding null;
      - type_float is FLOAT, DuckDB's 4-byte REAL, which loses cents.
-#}

{% macro duckdb__safe_cast(field, type) %}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro duckdb__type_float() %}
    {{ return('double') }}
{% endmacro %}
