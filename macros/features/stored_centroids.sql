{% macro stored_centroids() %}
    {#-
        The centroids of ml_cluster_centroids as a list of dicts
        ({method, index, values: [..]}, values in model-input order), ordered
        by method and cluster_index; read at compile time so that scoring can
        compute every distance of a customer in one row. Empty while dbt only
        parses.
    -#}
    {%- set centroids_relation = ref('ml_cluster_centroids') -%}
    {%- set inputs = model_inputs() -%}
    {%- if not execute or not inputs -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = ['method', 'cluster_index'] -%}
    {%- for input in inputs -%}{%- do columns.append(quoted_name(input.name)) -%}{%- endfor -%}
    {%- set result = run_query('select ' ~ columns | join(', ') ~ ' from ' ~ centroids_relation
                               ~ ' order by method, cluster_index') -%}
    {%- set centroids = [] -%}
    {%- for row in result.rows -%}
        {%- do centroids.append({'method': row[0], 'index': row[1], 'values': row[2:] | list}) -%}
    {%- endfor -%}
    {{ return(centroids) }}
{% endmacro %}
