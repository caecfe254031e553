{% macro level_key(expression) %}
    {#-
        How two spellings of a categorical level (gender, country, product
        category) are compared: lower case, surrounding whitespace dropped,
        runs of whitespace inside as one space. 'FR', ' fr ' and 'Fr' share a
        key; the alias seed categorical_level_aliases maps keys to levels.
    -#}
    lower(trim({{ collapse_whitespace(as_text(expression)) }}))
{%- endmacro %}


{% macro collapse_whitespace(expression) %}
    {{ return(adapter.dispatch('collapse_whitespace', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__collapse_whitespace(expression) %}
    {#- Postgres-style regexp_replace: the 'g' flag replaces every match. -#}
    regexp_replace({{ expression }}, '\s+', ' ', 'g')
{%- endmacro %}

{% macro duckdb__collapse_whitespace(expression) %}
    regexp_replace({{ expression }}, '\s+', ' ', 'g')
{%- endmacro %}

{% macro spark__collapse_whitespace(expression) %}
    {#- Spark replaces every match, and a fourth argument would be a position;
        its string literals read a backslash as an escape, hence two. -#}
    regexp_replace({{ expression }}, '\\s+', ' ')
{%- endmacro %}
