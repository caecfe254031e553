{% macro log_build_summary(results) %}
    {#-
        On-run-end: what the build did, in words, after dbt's own counts. The
        input read, accepted and quarantined; the segments with their sizes;
        what drifted since the previous run; where the results are and the
        report command. Said only when this build made segment_profiles (a
        failed or partial build has nothing to summarise). Read from the
        marts, so it says what BI will read.
    -#}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {#- Only what this build made: a part whose mart failed or was skipped
        (a failing test upstream) is left out, never read from an older run. -#}
    {%- set built = [] -%}
    {%- for result in results or [] -%}
        {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
            {%- do built.append(result.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if 'segment_profiles' not in built -%}
        {{ return('') }}
    {%- endif -%}
    {%- set lines = ['', 'Build summary'] -%}

    {%- if 'input_reconciliation' in built -%}
    {%- set inputs = run_query(
        "select source, source_file, rows_read, rows_accepted, rows_quarantined "
        ~ "from " ~ this_build_relation('input_reconciliation') ~ " order by source") -%}
    {%- for row in inputs.rows -%}
        {%- do lines.append("  " ~ row[0] ~ ": " ~ count_text(row[2]) ~ " rows read from " ~ row[1]
                            ~ ", " ~ count_text(row[3]) ~ " accepted, " ~ count_text(row[4])
                            ~ " quarantined" ~ (" (see quarantined_rows)" if row[4] else "")) -%}
    {%- endfor -%}
    {%- endif -%}

    {%- if 'segmentation_runs' in built and 'ml_current_run' in built -%}
    {%- set run = run_query(
        "select run_mode, primary_method, chosen_k, customers, as_of_date from "
        ~ this_build_relation('segmentation_runs') ~ " where run_id = (select run_id from "
        ~ this_build_relation('ml_current_run') ~ ")").rows[0] -%}
    {%- do lines.append("  " ~ count_text(run[3]) ~ " customers as of " ~ run[4] ~ " in "
                        ~ ("segments of the stored fit (mode score)" if run[0] == 'score'
                           else run[2] ~ " " ~ run[1] ~ " segments") ~ ":") -%}
    {%- else -%}
    {%- do lines.append("  Segments:") -%}
    {%- endif -%}
    {%- set segments = run_query(
        "select segment_name, customers, customer_share from " ~ this_build_relation('segment_profiles')
        ~ " order by customers desc, segment_id") -%}
    {%- for row in segments.rows -%}
        {%- do lines.append("    " ~ row[0] ~ ": " ~ count_text(row[1]) ~ " ("
                            ~ '%.1f' | format(100 * row[2]) ~ "%)") -%}
    {%- endfor -%}

    {%- if 'segment_drift' in built and 'ml_current_run' in built -%}
    {%- set drift = run_query(
        "select drift_type, coalesce(segment_name, 'segment ' || cast(segment_id as " ~ dbt.type_string() ~ ")), feature_name, previous_value, current_value, psi, "
        ~ "threshold, previous_run_id from " ~ this_build_relation('segment_drift')
        ~ " where is_drifted and run_id = (select run_id from " ~ this_build_relation('ml_current_run') ~ ")"
        ~ " order by drift_type, feature_name, segment_name") -%}
    {%- for row in drift.rows -%}
        {%- if row[0] == 'feature_psi' -%}
            {%- do lines.append("  Drift since run " ~ row[7] ~ ": " ~ row[2]
                                ~ " changed its distribution (PSI " ~ '%.2f' | format(row[5])
                                ~ ", above " ~ row[6] ~ ")") -%}
        {%- else -%}
            {%- do lines.append("  Drift since run " ~ row[7] ~ ": " ~ row[1] ~ " went from "
                                ~ '%.1f' | format(100 * row[3]) ~ "% to "
                                ~ '%.1f' | format(100 * row[4]) ~ "% of customers") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- endif -%}

    {%- set database = target.get('path') or target.database -%}
    {%- do lines.append("  Marts: " ~ database ~ " (schema " ~ target.schema ~ ")"
                        ~ ("; published into " ~ var('export_dir') ~ "/"
                           if var('export_dir') and 'bi_publications' in built else "")) -%}
    {%- do lines.append("  Report: segmentation report --db " ~ database ~ " --out report.html") -%}
    {%- do log(lines | join('\n'), info=true) -%}
    {{ return('') }}
{% endmacro %}


{% macro this_build_relation(name) %}
    {#- A relation of this build, by name: on-run-end cannot ref() (hooks
        have no parse-time dependencies). -#}
    {{ return(adapter.get_relation(database=target.database, schema=target.schema, identifier=name)) }}
{% endmacro %}


{% macro count_text(number) %}
    {#- 20000 -> "20,000": counts as people read them. -#}
    {{ return('{:,}'.format(number | int)) }}
{% endmacro %}
