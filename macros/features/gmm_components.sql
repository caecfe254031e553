{% macro gmm_components() %}
    {#-
        The chosen Gaussian mixture's components as a list of dicts
        ({index, weight, log_det, means: [..], chol: {'i_j': value}}), read
        at compile time from ml_gmm_models, in model-input order; empty while
        dbt only parses.
    -#}
    {%- set models = ref('ml_gmm_models') -%}
    {%- set inputs = model_inputs() -%}
    {%- if not execute or not inputs -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set d = inputs | length -%}
    {%- set columns = ['component_index', 'weight', 'log_det'] -%}
    {%- for input in inputs -%}{%- do columns.append(quoted_name(input.name)) -%}{%- endfor -%}
    {%- for i in range(d) -%}{%- for j in range(i, d) -%}
        {%- do columns.append('prec_chol_' ~ i ~ '_' ~ j) -%}
    {%- endfor -%}{%- endfor -%}
    {%- set result = run_query('select ' ~ columns | join(', ') ~ ' from ' ~ models
                               ~ ' where is_chosen order by component_index') -%}
    {%- set components = [] -%}
    {%- for row in result.rows -%}
        {%- set chol = {} -%}
        {%- set position = namespace(value=3 + d) -%}
        {%- for i in range(d) -%}{%- for j in range(i, d) -%}
            {%- do chol.update({i ~ '_' ~ j: row[position.value]}) -%}
            {%- set position.value = position.value + 1 -%}
        {%- endfor -%}{%- endfor -%}
        {%- do components.append({
            'index': row[0],
            'weight': row[1],
            'log_det': row[2],
            'means': row[3:3 + d] | list,
            'chol': chol}) -%}
    {%- endfor -%}
    {{ return(components) }}
{% endmacro %}
