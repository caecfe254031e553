{% macro distinct_values(relation, column) %}
    {#-
        The distinct non-null values of `column` in `relation`, sorted, read at
        compile time (the relation is a parent, already built); empty while
        dbt only parses.
    -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query('select distinct ' ~ column ~ ' from ' ~ relation
                               ~ ' where ' ~ column ~ ' is not null order by 1') -%}
    {{ return(result.columns[0].values() | list) }}
{% endmacro %}
