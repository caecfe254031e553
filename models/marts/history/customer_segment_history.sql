{#-
    Every customer's segment in every recorded run: a build appends its run
    (or replaces the run of the same as_of_date) and leaves earlier runs as
    they were.
-#}

select
    cast(current_run.run_id as integer) as run_id,
    cast(segments.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segments.segment_id as integer) as segment_id,
    cast(segments.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(segments.monetary as double) as monetary
from {{ ref('dim_customer_segments') }} as segments
cross join {{ ref('ml_current_run') }} as current_run
