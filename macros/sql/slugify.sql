{% macro slugify(expression) %}
    {#- Lower-case letters, digits and underscores only: safe inside a column name. -#}
    {{ return(adapter.dispatch('slugify', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__slugify(expression) %}
    trim(regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}
