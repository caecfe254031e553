{#-
    Lines of the CSV inputs that the reader could not read as a row: more or
    fewer fields than the header, bytes that are not in var csv_encoding, a
    line longer than csv_max_line_bytes(). The staging views skip them (one
    bad line must not stop the build, nor make the dialect sniffer misread
    the file); this table keeps each with its line number, the reader's
    cause and the line's text, so quarantined_rows lists them and
    input_reconciliation counts them as read.

    The pre-hook reads each CSV input once more with the reader's reject
    store on; DuckDB keeps what it skipped in temporary tables of this
    connection, which the select reads. Parquet files and the demo seeds
    have no lines to lose: then the table is empty.
-#}
{#- The hook is rendered when the model runs, once the input files are known. -#}
{{ config(materialized='table', pre_hook="{{ unreadable_lines_scans() }}") }}
{%- set scans = csv_reject_scans() %}

{%- if scans %}

with

{% for scan in scans %}
{{ scan.entity }}_errors as (

    -- One line can fail several ways (a short line misses each of its
    -- absent columns): keep one row per line, the first error reported.
    select
        line,
        min(line) as source_line_number,
        {{ first_by('error_type', 'column_idx') }} as error_type,
        {{ first_by('error_message', 'column_idx') }} as error_message,
        any_value(csv_line) as raw_line
    from {{ scan.rejects }}_errors
    where scan_id = (select max(scan_id) from {{ scan.rejects }}_scans)
    group by line

),
{% endfor %}

unioned as (

    {%- for scan in scans %}
    select
        {{ sql_string(scan.entity) }} as source,
        {{ sql_string(scan.path) }} as source_file,
        source_line_number,
        error_type,
        error_message,
        raw_line
    from {{ scan.entity }}_errors
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select
    cast(source as {{ dbt.type_string() }}) as source,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_line_number as bigint) as source_line_number,
    cast({{ dbt.concat(["'unreadable line: '", "lower(error_type)", "' ('", "error_message", "')'"]) }}
        as {{ dbt.type_string() }}) as rejection_reason,
    cast(raw_line as {{ dbt.type_string() }}) as raw_line
from unioned

{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as source,
    cast(null as {{ dbt.type_string() }}) as source_file,
    cast(null as bigint) as source_line_number,
    cast(null as {{ dbt.type_string() }}) as rejection_reason,
    cast(null as {{ dbt.type_string() }}) as raw_line
where 1 = 0

{%- endif %}
