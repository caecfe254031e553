{% macro decile_bin(value, edges) %}
    {#-
        1..10: the decile bin of `value` given the relation `edges` with
        columns q1..q9 (bin k holds values in (q{k-1}, q{k}]); one comparison
        per edge instead of a range join.
    -#}
    1
    {%- for edge in range(1, 10) %}
    + case when {{ value }} > {{ edges }}.q{{ edge }} then 1 else 0 end
    {%- endfor %}
{%- endmacro %}
