{% macro in_as_of_window(expression, otherwise='null') %}
    {#-
        `expression` for an order line dated up to var as_of_date, else
        `otherwise`. Without the var every accepted line is in the window (the
        date is then the latest accepted order date), so the expression is
        returned as it is: at 20M lines a per-line date test costs a third more.
    -#}
    {%- if checked_var('as_of_date') -%}
        case when order_date <= {{ date_literal(checked_var('as_of_date')) }} then {{ expression }} else {{ otherwise }} end
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{% endmacro %}
