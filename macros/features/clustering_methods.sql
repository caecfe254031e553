{% macro clustering_methods() %}
    {#-
        The clustering methods, listed once. Validation (var_rules: var
        methods, var primary_method), which models are enabled, the unions
        over methods (cluster_k_selection, ml_customer_cluster_scores), the
        fit's completion record and the row counts all read this.
          always  built in every build: KMeans chooses k and gives the
                  segments; the Ward tree gives the dendrogram and the
                  second opinion at the same k.
          optional built only when named in var methods: each costs a fit
                  and a scoring pass, and the segments do not need them.
    -#}
    {{ return({
        'kmeans': {'always': true},
        'hierarchical': {'always': true},
        'gmm': {'always': false},
        'dbscan': {'always': false},
        'kprototypes': {'always': false},
    }) }}
{% endmacro %}


{% macro method_enabled(name) %}
    {#-
        Whether method `name` is built. Read at parse time (enabled configs),
        so it uses var('methods') as given; on-run-start checks the var
        (var_rules) and names any unknown method.
    -#}
    {%- set catalog = clustering_methods() %}
    {%- if name not in catalog %}
        {{ exceptions.raise_compiler_error("method_enabled: unknown method " ~ name) }}
    {%- endif %}
    {%- set wanted = var('methods') %}
    {%- set wanted = [wanted] if wanted is string else (wanted or []) %}
    {{ return(catalog[name].always or name in (wanted | map('string') | map('lower') | map('trim') | list)) }}
{% endmacro %}


{% macro enabled_methods() %}
    {#- The names of the methods this build runs, in catalog order. -#}
    {%- set names = [] %}
    {%- for name in clustering_methods() if method_enabled(name) %}
        {%- do names.append(name) %}
    {%- endfor %}
    {{ return(names) }}
{% endmacro %}
