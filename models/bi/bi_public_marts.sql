{#-
    The public marts this build publishes for BI (bi_publications), one row
    each: every model with access: public (models/marts/, dbt_project.yml). Referencing them all here makes
    bi_publications wait for every mart and every mart's tests, so in
    `dbt build` a failed model or test skips publishing.

    customer_segment_history grows by one row per customer with every run, so
    its published copy keeps the latest var published_history_runs runs (a
    query over the table, below); dbt's file keeps them all. The quarantine
    marts are published through bi_quarantined_rows and bi_quarantined_values,
    which keep only the raw values var published_raw_columns lets leave.

    Refs must be literal for dbt to order the DAG, so the list is written out.
    At run time it is checked against the models dbt has as access: public
    (the one definition): a public model missing here, or a model listed here
    that is not public, stops the build with its name.
-#}
{%- set public_marts = [
    'dim_customer_segments',
    'customer_value',
    'customer_value_model',
    'customer_value_backtest',
    'customer_value_backtest_weekly',
    'customer_value_backtest_calibration',
    'customer_cluster_assignments',
    'segment_profiles',
    'segment_drivers',
    'segment_rules',
    'cluster_method_agreement',
    'cluster_k_selection',
    'cluster_linkage',
    'customer_projection',
    'customer_rfm',
    'segment_rfm_crosstab',
    'segment_recommendations',
    'customers_at_risk',
    'eda_feature_summary',
    'eda_feature_histograms',
    'eda_feature_correlations',
    'quarantined_rows',
    'quarantined_values',
    'input_reconciliation',
    'segmentation_runs',
    'customer_segment_history',
    'segment_lineage',
    'segment_centroid_history',
    'segment_migration',
    'feature_distribution_history',
    'segment_drift',
] + (['segment_category_affinity', 'customer_next_category'] if var('cross_sell') is sameas true else []) -%}

{%- if execute %}
    {%- set public = [] %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.package_name == 'customer_segmentation'
        and node.config.enabled
        and node.access == 'public' %}
        {%- do public.append(node.name) %}
    {%- endfor %}
    {%- set unlisted = public | reject('in', public_marts) | list %}
    {%- set not_public = public_marts | reject('in', public) | list %}
    {%- if unlisted or not_public %}
        {{ exceptions.raise_compiler_error(
            "models/bi/bi_public_marts.sql must list exactly the models with access: public. "
            ~ ("Public but not listed (not published): " ~ unlisted | join(', ') ~ ". " if unlisted else "")
            ~ ("Listed but not public: " ~ not_public | join(', ') ~ "." if not_public else "")) }}
    {%- endif %}
{%- endif %}

{#- What is published of each mart: the table, or a query over it. #}
{%- set published_relation = {} %}
{%- for mart in public_marts %}
    {%- do published_relation.update({mart: ref(mart) | string}) %}
{%- endfor %}
{#- The quarantine marts without the raw values var published_raw_columns keeps in dbt's file. #}
{%- do published_relation.update({
    'quarantined_rows': ref('bi_quarantined_rows') | string,
    'quarantined_values': ref('bi_quarantined_values') | string,
}) %}
{%- set history_runs = var('published_history_runs') %}
{%- if history_runs is not none %}
    {#- A whole number >= 1: checked on-run-start (validate_segmentation_inputs). #}
    {%- do published_relation.update({'customer_segment_history':
        '(select * from ' ~ ref('customer_segment_history') ~ ' where run_id in (select run_id from '
        ~ ref('segmentation_runs') ~ ' order by run_id desc limit ' ~ (history_runs | int) ~ '))'}) %}
{%- endif %}

select
    cast(marts.mart_name as {{ dbt.type_string() }}) as mart_name,
    cast(marts.relation_name as {{ dbt.type_string() }}) as relation_name,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id
from (
    values
    {%- for mart in public_marts %}
        ({{ sql_string(mart) }}, {{ sql_string(published_relation[mart]) }}){{ ',' if not loop.last }}
    {%- endfor %}
) as marts (mart_name, relation_name)
