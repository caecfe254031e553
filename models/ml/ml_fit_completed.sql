{#-
    The fit that finished: one row, written only when every fit-tagged model
    (and the fit run's segment lineage) was built in this invocation, because
    it depends on all of them and dbt skips it when any failed. ml_fit_run is
    written at a fit's start, so the two disagree exactly when the last fit
    build stopped part-way and the stored model mixes two fits; a score build
    then refuses to run (validate_run_mode) instead of scoring with the new
    scaling and the old centroids. Tagged fit, like what it vouches for.
-#}
-- depends_on: {{ ref('ml_feature_scaling') }}
-- depends_on: {{ ref('ml_fit_sample') }}
-- depends_on: {{ ref('ml_kmeans_models') }}
-- depends_on: {{ ref('ml_kmeans_k_selection') }}
-- depends_on: {{ ref('ml_hierarchical_tree') }}
-- depends_on: {{ ref('ml_hierarchical_k_selection') }}
-- depends_on: {{ ref('ml_hierarchical_cut') }}
{#- The optional methods' fits, when var methods runs them. #}
{%- if method_enabled('gmm') %}
-- depends_on: {{ ref('ml_gmm_models') }}
-- depends_on: {{ ref('ml_gmm_k_selection') }}
{%- endif %}
{%- if method_enabled('dbscan') %}
-- depends_on: {{ ref('ml_dbscan_models') }}
{%- endif %}
{%- if method_enabled('kprototypes') %}
-- depends_on: {{ ref('ml_mixed_sample') }}
-- depends_on: {{ ref('ml_kprototypes_models') }}
{%- endif %}
-- depends_on: {{ ref('ml_cluster_stability') }}
-- depends_on: {{ ref('ml_cluster_centroids') }}
-- depends_on: {{ ref('ml_pca_loadings') }}
-- depends_on: {{ ref('ml_segment_rule_sample') }}
-- depends_on: {{ ref('ml_segment_rules') }}
-- depends_on: {{ ref('segment_lineage') }}
{%- if execute %}
    {#- A fit model added without a line above would not be vouched for. -#}
    {%- set missing = [] %}
    {%- for node in graph.nodes.values() %}
        {%- if node.resource_type == 'model' and 'fit' in node.tags
              and node.unique_id != model.unique_id
              and node.unique_id not in model.depends_on.nodes %}
            {%- do missing.append(node.name) %}
        {%- endif %}
    {%- endfor %}
    {%- if missing %}
        {{ exceptions.raise_compiler_error(
            "ml_fit_completed must depend on every fit-tagged model; add a depends_on line for "
            ~ missing | sort | join(', ')) }}
    {%- endif %}
{%- endif %}
select
    run_id,
    fit_invocation_id
from {{ ref('ml_fit_run') }}
