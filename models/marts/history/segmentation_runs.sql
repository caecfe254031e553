{#-
    One row per recorded run. A build appends its run, or replaces the run of
    the same as_of_date (run_id = yyyymmdd of as_of_date); earlier runs are
    never rewritten, and --full-refresh does not wipe the history
    (full_refresh=false).
-#}

with

current_run as (

    select * from {{ ref('ml_current_run') }}

),

segments as (

    select count(*) as segments, sum(customers) as customers
    from {{ ref('segment_profiles') }}

),

chosen as (

    select max(k) as chosen_k
    from {{ ref('cluster_k_selection') }}
    where method = {{ sql_string(checked_var('primary_method')) }} and is_chosen

),

fit_run as (

    select max(run_id) as fit_run_id from {{ ref('ml_fit_run') }}

),

reconciliation as (

    select
        sum(case when source = 'orders' then rows_accepted else 0 end) as order_lines_accepted,
        sum(rows_quarantined) as rows_quarantined
    from {{ ref('input_reconciliation') }}

)

select
    cast(current_run.run_id as integer) as run_id,
    cast(current_run.as_of_date as date) as as_of_date,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
    cast(current_run.run_mode as {{ dbt.type_string() }}) as run_mode,
    cast(current_run.primary_method as {{ dbt.type_string() }}) as primary_method,
    cast(chosen.chosen_k as integer) as chosen_k,
    cast(segments.segments as integer) as segments,
    cast(segments.customers as integer) as customers,
    cast(reconciliation.order_lines_accepted as bigint) as order_lines_accepted,
    cast(reconciliation.rows_quarantined as bigint) as rows_quarantined,
    cast(fit.fit_run_id as integer) as fit_run_id,
    cast({{ dbt.concat(["current_run.primary_method", "' k='",
                        cast_or_null("chosen.chosen_k", dbt.type_string()),
                        "' fitted at run '",
                        cast_or_null("fit.fit_run_id", dbt.type_string())]) }}
         as {{ dbt.type_string() }}) as model_version,
    cast({{ sql_string(input_source_name()) }} as {{ dbt.type_string() }}) as input_source
from current_run
-- The run of the stored model: this one in fit mode, the last fit in score mode.
cross join fit_run as fit
cross join segments
cross join chosen
cross join reconciliation
