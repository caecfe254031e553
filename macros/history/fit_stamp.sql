{% macro stamp_fit_invocation() %}
    {#-
        Post-hook of every model: a table of the fit (ml/fit/, tag fit) gets
        the invocation id of the build that wrote it as its table comment,
        in the same transaction as the table, so a table and its stamp are
        never apart, even when the build is killed. So does, in a fit
        build, the run record that vouches the fit's segments were numbered
        and recorded (meta records_fit: segment_lineage). Score mode
        (validate_run_mode) requires all of them to carry one id, that of
        ml_fit_run: a fit build that stopped part-way, or a fit table
        rebuilt alone, is refused whatever order the models ran in. Other
        models: no statement.
    -#}
    {%- set records_fit = (model.config.get('meta') or {}).get('records_fit')
                          and var('mode') == 'fit' -%}
    {%- if 'fit' not in model.tags and not records_fit -%}
        {{ return('') }}
    {%- endif -%}
    comment on table {{ this }} is '{{ fit_stamp(invocation_id) }}'
{%- endmacro %}


{% macro fit_stamp(fit_invocation_id) %}
    {#- The comment a fit table carries: which build's fit it belongs to. -#}
    {{ return('fit_invocation_id=' ~ fit_invocation_id) }}
{%- endmacro %}


{% macro stored_fit_stamps() %}
    {#- {table name: its comment, '' when none} of the tables in the target schema. -#}
    {%- set query -%}
        select table_name, coalesce(comment, '')
        from duckdb_tables()
        where database_name = current_database() and schema_name = '{{ target.schema }}'
    {%- endset -%}
    {%- set stamps = {} -%}
    {%- for row in run_query(query).rows -%}
        {%- do stamps.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(stamps) }}
{%- endmacro %}
