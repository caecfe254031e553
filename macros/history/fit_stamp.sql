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


{% macro stored_fit_stamps(names) %}
    {#- {table name: its comment, '' when none} of those of the tables `names`
        that exist in the target schema. -#}
    {{ return(adapter.dispatch('stored_fit_stamps', 'customer_segmentation')(names)) }}
{%- endmacro %}

{% macro default__stored_fit_stamps(names) %}
    {%- set query -%}
        select table_name, coalesce(comment, '')
        from information_schema.tables
        where lower(table_schema) = lower({{ sql_string(target.schema) }})
    {%- endset -%}
    {{ return(_stamps_of(run_query(query).rows, names)) }}
{%- endmacro %}

{% macro duckdb__stored_fit_stamps(names) %}
    {%- set query -%}
        select table_name, coalesce(comment, '')
        from duckdb_tables()
        where database_name = current_database() and schema_name = {{ sql_string(target.schema) }}
    {%- endset -%}
    {{ return(_stamps_of(run_query(query).rows, names)) }}
{%- endmacro %}

{% macro spark__stored_fit_stamps(names) %}
    {#- Spark shows a table's comment as the row 'Comment' of describe table extended. -#}
    {%- set rows = [] -%}
    {%- for name in names -%}
        {%- set relation = adapter.get_relation(database=none, schema=target.schema, identifier=name) -%}
        {%- if relation is not none -%}
            {%- set comment = [] -%}
            {%- for row in run_query("describe table extended " ~ relation).rows
                if row[0] == 'Comment' -%}
                {%- do comment.append(row[1]) -%}
            {%- endfor -%}
            {%- do rows.append([name, comment[0] if comment else '']) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(_stamps_of(rows, names)) }}
{%- endmacro %}

{% macro _stamps_of(rows, names) %}
    {%- set stamps = {} -%}
    {%- for row in rows if row[0] in names -%}
        {%- do stamps.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(stamps) }}
{%- endmacro %}
