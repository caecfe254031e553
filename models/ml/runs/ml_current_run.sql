{#-
    The run this build records: one row. A run is identified by its
    as_of_date (run_id = yyyymmdd), so a rebuild for the same as_of_date
    replaces that run in the history tables instead of adding another.
-#}
select
    {{ run_id_of('as_of_date') }} as run_id,
    as_of_date,
    {{ sql_string(checked_var('mode')) }} as run_mode,
    {{ sql_string(checked_var('primary_method')) }} as primary_method
from {{ ref('int_as_of_date') }}
