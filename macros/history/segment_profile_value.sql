{% macro segment_profile_value(input) %}
    {#-
        A model input in business units, for comparing segments across runs
        whose transformations differ (a refit may log-transform a feature the
        previous fit did not): the raw value of a numeric input, a missing
        value imputed as the model imputed it (so a segment whose members all
        lack a value still has a centre); the 0/1 of a one-hot level. Raw
        columns come from the relations aliased `features` and `category_mix`.
    -#}
    {%- if input.encoding == 'one_hot' -%}
        {{ scaled_input_expression(input) }}
    {%- else -%}
        coalesce(cast({{ 'category_mix' if input.source == 'category_mix' else 'features' }}.{{ input.name }} as {{ type_double() }}), {{ input.impute_value }})
    {%- endif -%}
{% endmacro %}
