{#-
    How this run differs from the previous one, one row per segment
    (drift_type 'segment_share': its share of customers then and now) and per
    numeric model input (drift_type 'feature_psi': the population stability
    index of its distribution against the previous run's decile bins,
    feature_distribution_history). is_drifted marks a share change above var
    drift_share_threshold or a PSI above var drift_psi_threshold (rule of
    thumb: under 0.1 stable, 0.1-0.25 moderate, over 0.25 a real shift). A
    first run has no rows.
-#}
{%- set share_threshold = var('drift_share_threshold') | float %}
{%- set psi_threshold = var('drift_psi_threshold') | float %}
{#- Empty bins would make the index infinite; they count as this share. -#}
{%- set floor_share = 0.0001 %}

with

current_run as (

    select run_id from {{ ref('ml_current_run') }}

),

previous_run as (

    select run_id from {{ ref('ml_previous_run') }}

),

lineage as (

    select * from {{ ref('segment_lineage') }}

),

segment_shares as (

    select
        coalesce(now_segments.segment_id, then_segments.segment_id) as segment_id,
        coalesce(now_segments.segment_name, then_segments.segment_name) as segment_name,
        coalesce(then_segments.customer_share, 0) as previous_value,
        coalesce(now_segments.customer_share, 0) as current_value
    from (
        select lineage.* from lineage
        inner join current_run on lineage.run_id = current_run.run_id
    ) as now_segments
    full outer join (
        select lineage.* from lineage
        inner join previous_run on lineage.run_id = previous_run.run_id
    ) as then_segments
        on now_segments.segment_id = then_segments.segment_id
    where exists (select 1 from previous_run)

),

-- Only the inputs this run still has: a dropped feature is not drift.
previous_bins as (

    select history.*
    from {{ ref('feature_distribution_history') }} as history
    inner join previous_run on history.run_id = previous_run.run_id
    where history.feature_name in (
        {%- for input in eda_numeric_inputs() %}'{{ input.name }}'{{ ', ' if not loop.last }}{% else %}''{% endfor -%}
    )

),

-- The previous run's deciles, one row per feature.
previous_edges as (

    select
        feature_name
        {%- for edge in range(1, 10) %},
        max(case when bin_number = {{ edge }} then bin_upper end) as q{{ edge }}
        {%- endfor %}
    from previous_bins
    group by feature_name

),

feature_values as (

    {{ present_raw_feature_values() | indent(4) }}

),

binned_counts as (

    select
        feature_values.feature_name,
        {{ decile_bin('feature_values.feature_value', 'previous_edges') }} as bin_number,
        count(*) as customers
    from feature_values
    inner join previous_edges on feature_values.feature_name = previous_edges.feature_name
    group by 1, 2

),

current_counts as (

    select
        previous_bins.feature_name,
        previous_bins.bin_number,
        previous_bins.customer_share as previous_share,
        coalesce(binned_counts.customers, 0) as customers
    from previous_bins
    left join binned_counts
        on previous_bins.feature_name = binned_counts.feature_name
        and previous_bins.bin_number = binned_counts.bin_number

),

bin_shares as (

    select
        feature_name,
        greatest(previous_share, {{ floor_share }}) as previous_share,
        greatest(
            cast(customers as {{ type_double() }})
            / nullif(sum(customers) over (partition by feature_name), 0),
            {{ floor_share }}) as current_share
    from current_counts

),

feature_psi as (

    select
        feature_name,
        sum((current_share - previous_share) * ln(current_share / previous_share)) as psi
    from bin_shares
    group by feature_name

),

drift as (

    select
        'segment_share' as drift_type,
        segment_id,
        segment_name,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        previous_value,
        current_value,
        current_value - previous_value as change,
        cast(null as {{ type_double() }}) as psi,
        {{ share_threshold }} as threshold,
        abs(current_value - previous_value) > {{ share_threshold }} as is_drifted
    from segment_shares

    union all

    select
        'feature_psi' as drift_type,
        cast(null as integer) as segment_id,
        cast(null as {{ dbt.type_string() }}) as segment_name,
        feature_name,
        cast(null as {{ type_double() }}) as previous_value,
        cast(null as {{ type_double() }}) as current_value,
        cast(null as {{ type_double() }}) as change,
        psi,
        {{ psi_threshold }} as threshold,
        psi > {{ psi_threshold }} as is_drifted
    from feature_psi

)

select
    cast(current_run.run_id as integer) as run_id,
    cast((select max(run_id) from previous_run) as integer) as previous_run_id,
    cast(drift.drift_type as {{ dbt.type_string() }}) as drift_type,
    cast(drift.segment_id as integer) as segment_id,
    cast(drift.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(drift.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(round(drift.previous_value, 9) as double) as previous_value,
    cast(round(drift.current_value, 9) as double) as current_value,
    cast(round(drift.change, 9) as double) as change,
    cast(round(drift.psi, 9) as double) as psi,
    cast(drift.threshold as double) as threshold,
    cast(drift.is_drifted as boolean) as is_drifted
from drift
cross join current_run
