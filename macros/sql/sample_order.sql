{% macro sample_order_key(column) %}
    {#-
        A customer's place in the deterministic pseudo-random order every
        bounded sample takes its first rows from (the segment fit, the rule
        sample, the value fit): the first 60 bits of md5(`column`) as a
        bigint, so the order is the md5's (hex text sorts as its number) and
        sorting it is an integer sort; on an engine without a hex parser
        here, the md5 text itself. Break ties by the id itself. Stored
        once per customer (int_customers_validated.sample_key), so a build
        hashes each id once rather than once per sample.
    -#}
    {{ return(adapter.dispatch('sample_order_key', 'customer_segmentation')(column)) }}
{%- endmacro %}

{% macro default__sample_order_key(column) %}
    {#- The md5 as text: the same order, without a hex parser every engine has. -#}
    {{ dbt.hash(column) }}
{%- endmacro %}

{% macro spark__sample_order_key(column) %}
    cast(conv(substr({{ dbt.hash(column) }}, 1, 15), 16, 10) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__sample_order_key(column) %}
    cast({{ dbt.concat(["'0x'", 'substr(' ~ dbt.hash(column) ~ ', 1, 15)']) }} as {{ dbt.type_bigint() }})
{%- endmacro %}
