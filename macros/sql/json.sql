{% macro json_is_valid(expression) %}
    {#- True when the text `expression` is a JSON document. -#}
    {{ return(adapter.dispatch('json_is_valid', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__json_is_valid(expression) %}
    ({{ expression }} is json)
{%- endmacro %}

{% macro duckdb__json_is_valid(expression) %}
    json_valid({{ expression }})
{%- endmacro %}

{% macro spark__json_is_valid(expression) %}
    {#- get_json_object reads nothing from text that is not JSON. -#}
    (get_json_object({{ expression }}, '$') is not null)
{%- endmacro %}


{% macro json_subset(expression, keys) %}
    {#-
        A JSON object (text) of the top-level `keys` of the JSON object text
        `expression`, in the order given, a missing key as null. Keys are
        plain names (they come from column names, snake_case).
    -#}
    {%- for key in keys -%}
        {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', key) -%}
            {{ exceptions.raise_compiler_error("json_subset: a key must be a plain name, not " ~ (key | tojson)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('json_subset', 'customer_segmentation')(expression, keys)) }}
{%- endmacro %}

{% macro default__json_subset(expression, keys) %}
    {#- SQL:2016 JSON_OBJECT / JSON_QUERY. -#}
    json_object(
        {%- for key in keys %}
        '{{ key }}' value json_query({{ expression }}, '$.{{ key }}') format json{{ ',' if not loop.last }}
        {%- endfor %}
        null on null)
{%- endmacro %}

{% macro duckdb__json_subset(expression, keys) %}
    cast(json_object(
        {%- for key in keys %}
        '{{ key }}', json_extract({{ expression }}, '$.{{ key }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__json_subset(expression, keys) %}
    {#- The raw values are text, so the values are read as text; nulls kept as in DuckDB. -#}
    to_json(named_struct(
        {%- for key in keys %}
        '{{ key }}', get_json_object({{ expression }}, '$.{{ key }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}
