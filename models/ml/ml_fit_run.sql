{#-
    The run whose fit the stored model comes from, one row. Tagged fit, so a
    score build (--selector score) keeps the row of the last fit: scoring
    carries that fit's segment ids (ml_fitted_segments) and records it as
    fit_run_id in segmentation_runs.
-#}
select
    run_id,
    as_of_date,
    primary_method,
    -- Which dbt invocation started this fit: ml_fit_completed records the
    -- same id only if the fit finished.
    '{{ invocation_id }}' as fit_invocation_id
from {{ ref('ml_current_run') }}
