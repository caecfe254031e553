{% macro status_in(var_name, column='status') %}
    {#-
        `column in (...)` for the order statuses listed in var `var_name`
        (return_statuses, cancel_statuses): lower-cased like the cleaned
        status, quotes escaped; `false` for an empty list. A single status
        given as text is a list of one. Anything else stops the build and
        names the var.
    -#}
    {%- set statuses = var(var_name) -%}
    {%- if statuses is none -%}
        {%- set statuses = [] -%}
    {%- elif statuses is string -%}
        {%- set statuses = [statuses] -%}
    {%- elif statuses is mapping or statuses is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' must be a list of order statuses, e.g. ['cancelled', 'void']; got "
            ~ statuses) }}
    {%- endif -%}
    {%- for status in statuses if status is not string -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ var_name ~ "' must list order statuses as text; got " ~ status) }}
    {%- endfor -%}
    {%- if statuses | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in {{ sql_string_list(statuses) }}
    {%- endif -%}
{% endmacro %}
