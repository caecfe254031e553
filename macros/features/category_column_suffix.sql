{% macro category_column_suffix(category, position) %}
    {#-
        A category name made safe as part of a column name: lower-case letters,
        digits and underscores. A name with none of those ('ü€') falls back to
        its position among the top categories.
    -#}
    {%- set cleaned = modules.re.sub('[^a-z0-9]+', '_', category | lower).strip('_') -%}
    {{- cleaned if cleaned else 'category_' ~ position -}}
{%- endmacro %}
