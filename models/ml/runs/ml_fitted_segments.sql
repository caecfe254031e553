{#-
    The segments of the stored model as the run that fitted it recorded them
    (segment_lineage of ml_fit_run's run): stable id, name and the fit's own
    cluster index, one row per segment. A score build carries these ids to
    the same fitted clusters. Empty before any run was recorded, and in a fit
    build until its own lineage is written (the fit build does not use it).
-#}
-- depends_on: {{ ref('ml_fit_run') }}
{%- set lineage = history_relation('segment_lineage') %}

{%- if lineage is not none %}

select
    cast(lineage.segment_id as integer) as previous_segment_id,
    lineage.segment_name as previous_segment_name,
    cast(lineage.cluster_index as integer) as previous_cluster_index
from {{ lineage }} as lineage
inner join {{ ref('ml_fit_run') }} as fit_run on lineage.run_id = fit_run.run_id
where lineage.segment_id > 0

{%- else %}

select
    cast(null as integer) as previous_segment_id,
    cast(null as {{ dbt.type_string() }}) as previous_segment_name,
    cast(null as integer) as previous_cluster_index
from {{ ref('ml_fit_run') }}
where 1 = 0

{%- endif %}
