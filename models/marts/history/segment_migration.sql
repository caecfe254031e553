{#- A run's rows are those of its to_run_id (on Spark, its partition: dbt_project.yml). -#}
{{ config(unique_key='to_run_id', partition_by=('to_run_id' if target.type == 'spark' else none)) }}

{#-
    Customers (and their revenue) moving between segments from the previous
    run to this one, one row per (from_segment_id, to_segment_id): a
    transition matrix or a Sankey is one query. from_segment_id is null for a
    customer new in this run, to_segment_id null for one gone from it.
    Revenue is the customers' net revenue to date in the later run (in the
    earlier one for customers who are gone). A first run has no rows.
-#}

with

current_run as (

    select run_id from {{ ref('ml_current_run') }}

),

previous_run as (

    select run_id from {{ ref('ml_previous_run') }}

),

history as (

    select * from {{ ref('customer_segment_history') }}

),

before_segments as (

    select history.customer_id, history.segment_id, history.monetary
    from history
    inner join previous_run on history.run_id = previous_run.run_id

),

after_segments as (

    select history.customer_id, history.segment_id, history.monetary
    from history
    inner join current_run on history.run_id = current_run.run_id
    -- Only when there is a previous run to compare with.
    where exists (select 1 from previous_run)

),

moves as (

    select
        before_segments.segment_id as from_segment_id,
        after_segments.segment_id as to_segment_id,
        coalesce(after_segments.monetary, before_segments.monetary) as revenue
    from before_segments
    full outer join after_segments
        on before_segments.customer_id = after_segments.customer_id

)

select
    cast((select max(run_id) from previous_run) as integer) as from_run_id,
    cast(current_run.run_id as integer) as to_run_id,
    cast(moves.from_segment_id as integer) as from_segment_id,
    cast(moves.to_segment_id as integer) as to_segment_id,
    cast(count(*) as integer) as customers,
    cast(round(sum(moves.revenue), 2) as double) as revenue
from moves
cross join current_run
group by current_run.run_id, moves.from_segment_id, moves.to_segment_id
