{% macro dbscan_representatives() %}
    {#-
        The DBSCAN fit of ml_dbscan_models for scoring, read at compile time:
        {eps, representatives: [{index, cluster, radius, values: [..]}]} with
        values in model-input order; no representatives when DBSCAN found no
        cluster. None while dbt only parses.
    -#}
    {%- set models_relation = ref('ml_dbscan_models') -%}
    {%- set inputs = model_inputs() -%}
    {%- if not execute or not inputs -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = ['representative_index', 'cluster_index', 'radius', 'eps'] -%}
    {%- for input in inputs -%}{%- do columns.append(quoted_name(input.name)) -%}{%- endfor -%}
    {%- set result = run_query('select ' ~ columns | join(', ') ~ ' from ' ~ models_relation
                               ~ ' order by representative_index') -%}
    {%- set fit = {'eps': result.rows[0][3], 'representatives': []} -%}
    {%- for row in result.rows if row[1] > 0 -%}
        {%- do fit.representatives.append({
            'index': row[0], 'cluster': row[1], 'radius': row[2], 'values': row[4:] | list}) -%}
    {%- endfor -%}
    {{ return(fit) }}
{% endmacro %}
