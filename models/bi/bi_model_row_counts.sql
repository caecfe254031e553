{#-
    Every model of the project outside models/bi/, one row each, with its row
    count: what the build that publishes made. bi_publications reads it and
    writes it into the publication's manifest.json, so publishing waits for
    every model and every test on one: in `dbt build` a failed model or a
    failed test anywhere (time_spine_daily as much as a mart) skips the
    publication, and the export folder keeps the previous build's files.

    Tables are counted (count(*) is read from DuckDB's row groups, not the
    data); a view or an ephemeral model would be run again to be counted
    (the staging views read the input files), so it is bound and not read,
    and its count is null.

    Refs must be literal for dbt to order the DAG, so the list is written
    out; at run time it is checked against every model dbt found, and a
    model missing here stops the build with its name
    (python_tests/test_bi_lineage.py checks the same on the manifest).
-#}
{#- The cross-sell models are enabled as they decide (`is sameas true`). -#}
{%- set models = [
    'cluster_k_selection',
    'cluster_linkage',
    'cluster_method_agreement',
    'customer_cluster_assignments',
    'customer_projection',
    'customer_rfm',
    'customer_segment_history',
    'customers_at_risk',
    'dim_customer_segments',
    'eda_feature_correlations',
    'eda_feature_histograms',
    'eda_feature_summary',
    'fct_segment_orders',
    'feature_distribution_history',
    'input_reconciliation',
    'int_as_of_date',
    'int_categorical_levels',
    'int_customer_category_mix',
    'int_customer_features',
    'int_customer_order_metrics',
    'int_customer_order_state',
    'int_customer_orders',
    'int_customer_purchase_days',
    'int_customer_purchase_totals',
    'int_customer_value_summary',
    'ml_value_fit_sample',
    'ml_customer_value_model',
    'ml_customer_value_curves',
    'ml_customer_value_scores',
    'ml_value_backtest_customers',
    'ml_value_backtest_tracking',
    'customer_value',
    'customer_value_model',
    'customer_value_backtest',
    'customer_value_backtest_weekly',
    'customer_value_backtest_calibration',
    'int_customer_rfm_scores',
    'int_customers_cleaned',
    'int_customers_validated',
    'int_input_row_counts',
    'int_order_lines_cleaned',
    'int_orders_validated',
    'int_orders_with_issues',
    'ml_cluster_centroids',
    'ml_cluster_numbering',
    'ml_cluster_run_numbering',
    'ml_cluster_stability',
    'ml_current_run',
    'ml_customer_cluster_scores',
    'ml_customer_features_scaled',
    'ml_feature_population',
    'ml_feature_scaling',
    'ml_fit_run',
    'ml_fit_sample',
    'ml_fitted_segments',
    'ml_hierarchical_cut',
    'ml_hierarchical_k_selection',
    'ml_hierarchical_tree',
    'ml_kmeans_k_selection',
    'ml_kmeans_models',
    'ml_pca_loadings',
    'ml_previous_run',
    'ml_previous_segments',
    'ml_primary_run_segments',
    'ml_primary_segment_assignments',
    'ml_run_segment_centroids',
    'ml_segment_archetypes',
    'ml_segment_feature_deviations',
    'ml_segment_matching',
    'ml_segment_member_claims',
    'ml_segment_names',
    'ml_segment_overlap',
    'ml_segment_rule_sample',
    'ml_segment_rules',
    'ml_segments',
    'quarantined_rows',
    'quarantined_values',
    'segment_centroid_history',
    'segment_drift',
    'segment_drivers',
    'segment_lineage',
    'segment_migration',
    'segment_profiles',
    'segment_recommendations',
    'segment_rfm_crosstab',
    'segment_rules',
    'segmentation_runs',
    'stg_input__customers',
    'stg_input__orders',
    'stg_input__unreadable_lines',
    'time_spine_daily',
] + ([
    'customer_next_category',
    'int_customer_category_purchases',
    'segment_category_affinity',
] if var('cross_sell') is sameas true else [])
  + (['ml_gmm_k_selection', 'ml_gmm_models', 'ml_gmm_scores'] if method_enabled('gmm') else [])
  + (['ml_dbscan_models'] if method_enabled('dbscan') else [])
  + (['ml_kprototypes_models', 'ml_kprototypes_scores', 'ml_mixed_sample']
     if method_enabled('kprototypes') else []) -%}

{%- set materialized = {} %}
{%- if execute %}
    {%- set unlisted = [] %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == 'customer_segmentation' %}
        {%- do materialized.update({node.name: node.config.materialized}) %}
        {%- if node.name not in models and not node.original_file_path.startswith('models/bi/') %}
            {%- do unlisted.append(node.original_file_path) %}
        {%- endif %}
    {%- endfor %}
    {%- if unlisted %}
        {{ exceptions.raise_compiler_error(
            "Models that publication would not wait for: " ~ unlisted | sort | join(', ')
            ~ ". List them in models/bi/bi_model_row_counts.sql, so that a build in which "
            ~ "they fail never publishes.") }}
    {%- endif %}
{%- endif %}

{%- for name in models %}
select
    cast('{{ name }}' as {{ dbt.type_string() }}) as model_name,
    {%- if materialized.get(name) in ('table', 'incremental') %}
    (select count(*) from {{ ref(name) }}) as row_count
    {%- else %}
    (select cast(null as bigint) from {{ ref(name) }} limit 0) as row_count
    {%- endif %}
{{ 'union all' if not loop.last }}
{%- endfor %}
