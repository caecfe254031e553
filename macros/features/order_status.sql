{% macro status_in(var_name, column='status') %}
    {#-
        `column in (...)` for the order statuses listed in var `var_name`
        (return_statuses, cancel_statuses): lower-cased like the cleaned
        status, quotes escaped; `false` for an empty list. A single status
        given as text is a list of one (checked_var).
    -#}
    {%- set statuses = checked_var(var_name) -%}
    {%- if statuses | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in {{ sql_string_list(statuses) }}
    {%- endif -%}
{% endmacro %}
