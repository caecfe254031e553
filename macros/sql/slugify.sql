{% macro slugify(expression) %}
    {#- Lower-case letters, digits and underscores only: safe inside a column name. -#}
    {{ return(adapter.dispatch('slugify', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__slugify(expression) %}
    trim(regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}

{% macro duckdb__slugify(expression) %}
    trim(regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}

{% macro spark__slugify(expression) %}
    {#- Spark replaces every match; a fourth argument would be a position. -#}
    trim(both '_' from regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '_'))
{%- endmacro %}
