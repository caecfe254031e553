{#-
    The run whose fit the stored model comes from, one row. In ml/fit/, so a
    score build (--selector score) keeps the row of the last fit: scoring
    carries that fit's segment ids (ml_fitted_segments) and records it as
    fit_run_id in segmentation_runs. Read from int_as_of_date like
    ml_current_run, not from it: the fit comes before the run records.
-#}
select
    {{ run_id_of('as_of_date') }} as run_id,
    as_of_date,
    {{ sql_string(checked_var('primary_method')) }} as primary_method,
    -- The dbt invocation of this fit. Every fit table and the segment
    -- lineage of the fit's run carry the same id as their table comment
    -- (macros/history/fit_stamp.sql); score mode refuses a stored model
    -- whose tables disagree.
    '{{ invocation_id }}' as fit_invocation_id
from {{ ref('int_as_of_date') }}
