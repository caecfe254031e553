{% macro ordered_string_agg(expression, delimiter, order_by) %}
    {#-
        The non-null values of `expression` joined by `delimiter` (SQL text,
        e.g. "', '") in the ascending order of the `order_by` expressions (a
        list). dbt.listagg drops its order on Spark, where names and drivers
        would come out in any order.
    -#}
    {{ return(adapter.dispatch('ordered_string_agg', 'customer_segmentation')(
        expression, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, delimiter, order_by) %}
    listagg({{ expression }}, {{ delimiter }}) within group (order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(expression, delimiter, order_by) %}
    string_agg({{ expression }}, {{ delimiter }} order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, delimiter, order_by) %}
    {#- Collect (keys..., value) structs, sort them (structs sort field by field), keep the values. -#}
    {%- set fields = [] -%}
    {%- for key in order_by -%}
        {%- do fields.append("'k" ~ loop.index ~ "', " ~ key) -%}
    {%- endfor -%}
    array_join(transform(array_sort(collect_list(
        named_struct({{ fields | join(', ') }}, 'v', {{ expression }}))), entry -> entry.v),
        {{ delimiter }})
{%- endmacro %}


{% macro first_by(value, key) %}
    {#- `value` of the row with the smallest `key` in the group. -#}
    {{ return(adapter.dispatch('first_by', 'customer_segmentation')(value, key)) }}
{%- endmacro %}

{% macro default__first_by(value, key) %}
    min_by({{ value }}, {{ key }})
{%- endmacro %}

{% macro duckdb__first_by(value, key) %}
    arg_min({{ value }}, {{ key }})
{%- endmacro %}
