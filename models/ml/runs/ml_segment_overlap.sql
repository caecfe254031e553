{#-
    Customers in both the previous run and this one, counted by (previous
    segment, this run's segment): what tells a segment that continues from
    one that split or merged (ml_segment_matching). Empty on a first build.
-#}
{%- set history = history_relation('customer_segment_history') %}

with

current_segments as (

    select customer_id, cluster_id from {{ ref('ml_primary_run_segments') }}

),

previous_run as (

    select run_id from {{ ref('ml_previous_run') }}

)

{%- if history is not none %}

select
    cast(history.segment_id as integer) as previous_segment_id,
    cast(current_segments.cluster_id as integer) as cluster_id,
    cast(count(*) as integer) as customers
from {{ history }} as history
inner join previous_run on history.run_id = previous_run.run_id
inner join current_segments on history.customer_id = current_segments.customer_id
where history.segment_id > 0
group by history.segment_id, current_segments.cluster_id

{%- else %}

select
    cast(null as integer) as previous_segment_id,
    cast(null as integer) as cluster_id,
    cast(null as integer) as customers
from current_segments
where 1 = 0

{%- endif %}
