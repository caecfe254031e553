{#-
    The only ways text from the data or a var enters SQL. Input column names,
    file paths, category levels and statuses are ordinary input: a header with
    a " or a folder called o'brien exports must read as a name, never as SQL.
    Every model and macro that writes such text into a query goes through one
    of these macros; numbers and dates are parsed and re-printed by
    checked_var (macros/validation/vars.sql) instead.
-#}

{% macro sql_string(value) %}
    {#- `value` as a string literal. -#}
    {{ return(adapter.dispatch('sql_string', 'customer_segmentation')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) %}
    {#- Standard SQL: a quote is doubled and nothing else is special. -#}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{% macro spark__sql_string(value) %}
    {#- Spark reads backslash escapes inside literals: escape both. -#}
    {{ return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") }}
{%- endmacro %}


{% macro quoted_name(name) %}
    {#-
        `name` as a quoted identifier, whatever characters it holds: the
        adapter's quote character (" on DuckDB, ` on Spark) is doubled inside,
        which both engines read as one literal quote character.
    -#}
    {%- set quote_character = adapter.quote('')[0] -%}
    {{ return(adapter.quote(name | string | replace(quote_character, quote_character ~ quote_character))) }}
{%- endmacro %}


{% macro sql_string_list(values, lower=true) %}
    {#- ('a', 'b') for an IN list; lower-cased like cleaned statuses unless `lower` is false. -#}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(sql_string(value | lower if lower else value)) -%}
    {%- endfor -%}
    ({{ literals | join(', ') }})
{%- endmacro %}


{% macro date_literal(iso_date) %}
    {#- A date checked by checked_var (YYYY-MM-DD, a real day) as a literal. -#}
    cast({{ sql_string(iso_date) }} as date)
{%- endmacro %}


{% macro glob_pattern(path) %}
    {#-
        `path` as a file pattern that matches only itself: DuckDB's file
        readers and glob() read *, ? and [ as wildcards, so a folder named
        "exports [2024]" would match other folders, or nothing.
    -#}
    {{ return(path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]')) }}
{%- endmacro %}
