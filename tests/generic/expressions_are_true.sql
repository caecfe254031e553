{% test expressions_are_true(model, expressions) %}
    {#-
        Several row checks in one scan of the model: `expressions` maps a
        check's name to a SQL condition every row must meet (null counts as
        not met). Fails with every row that misses one, and failed_checks
        naming what it missed ('probability_alive_in_0_1; ...'). One test in
        place of one expression_is_true per condition, which would read a
        million-row mart once per condition.
    -#}
    {%- if expressions is not mapping or not expressions %}
        {{ exceptions.raise_compiler_error(
            "expressions_are_true on " ~ model ~ " needs `expressions`: a mapping of check "
            ~ "names to SQL conditions") }}
    {%- endif %}
    {%- set flags = [] %}
    {%- for name, expression in expressions.items() %}
        {%- do flags.append("case when coalesce(" ~ expression ~ ", false) then '' else "
            ~ sql_string(name ~ '; ') ~ " end") %}
    {%- endfor %}
    with checked as (
        select
            *,
            {{ dbt.concat(flags) }} as failed_checks
        from {{ model }}
    )
    select * from checked where failed_checks <> ''
{% endtest %}
