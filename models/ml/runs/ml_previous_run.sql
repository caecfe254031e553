{#-
    The run before this one: the latest recorded run with an earlier
    as_of_date (segmentation_runs, as it stood before this build), and the
    largest segment id any other run has issued, so new ids are never
    recycled. No row on a first build.
-#}
{%- set runs = history_relation('segmentation_runs') %}
{%- set lineage = history_relation('segment_lineage') %}

with

current_run as (

    select run_id, as_of_date from {{ ref('ml_current_run') }}

)

{%- if runs is not none and lineage is not none %},

earlier_runs as (

    select runs.run_id, runs.as_of_date
    from {{ runs }} as runs
    cross join current_run
    where runs.as_of_date < current_run.as_of_date

),

issued as (

    select max(lineage.segment_id) as max_issued_segment_id
    from {{ lineage }} as lineage
    cross join current_run
    where lineage.run_id <> current_run.run_id

)

select
    cast(earlier_runs.run_id as integer) as run_id,
    cast(earlier_runs.as_of_date as date) as as_of_date,
    cast(coalesce(issued.max_issued_segment_id, 0) as integer) as max_issued_segment_id
from earlier_runs
cross join issued
where earlier_runs.as_of_date = (select max(as_of_date) from earlier_runs)

{%- else %}

select
    cast(null as integer) as run_id,
    cast(null as date) as as_of_date,
    cast(null as integer) as max_issued_segment_id
from current_run
where 1 = 0

{%- endif %}
