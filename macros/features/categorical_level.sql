{% macro categorical_level(column, levels) %}
    {#-
        A categorical feature's value folded to the levels ml_feature_scaling
        kept for it: null -> '__missing__', a level not kept -> '__other__'.
        `levels` are the category_level values of its one-hot inputs.
    -#}
    {%- set kept = levels | reject('in', ['__other__', '__missing__']) | list -%}
    case
        when {{ column }} is null then '__missing__'
        {%- if kept %}
        when {{ column }} in {{ sql_string_list(kept, lower=false) }} then {{ column }}
        {%- endif %}
        else '__other__'
    end
{%- endmacro %}


{% macro categorical_sources() %}
    {#- {source feature: [levels]} of the one-hot model inputs, in input order. -#}
    {%- set sources = {} -%}
    {%- for input in model_inputs() if input.encoding == 'one_hot' -%}
        {%- if input.source not in sources -%}{%- do sources.update({input.source: []}) -%}{%- endif -%}
        {%- do sources[input.source].append(input.level) -%}
    {%- endfor -%}
    {{ return(sources) }}
{% endmacro %}
