{% macro validate_publication() %}
    {#-
        Runs before any model (on-run-start). In a build that publishes
        (bi_publications selected), dbt's own DuckDB file must not lie inside
        var export_dir. Publishing replaces the files there and deletes those
        an earlier publication wrote, so with SEGMENTATION_DUCKDB_PATH pointing
        at exports/segmentation_marts.duckdb it would replace dbt's file with
        the serving copy, losing the history and the stored fit.

        Jinja cannot resolve symbolic links, so paths are compared as written:
        made absolute (DuckDB reports its file's absolute path; a relative
        export_dir is relative to the project root, where dbt runs) and with
        '.' and '..' folded. segmentation.publish checks again, with links
        resolved, before it writes anything.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set export_dir = checked_var('export_dir') -%}
    {%- if export_dir in (none, '')
          or 'model.customer_segmentation.bi_publications' not in selected_resources -%}
        {{ return('') }}
    {%- endif -%}
    {%- set project_dir = invocation_args_dict.get('project_dir') or '' -%}
    {%- set database = database_file_path() -%}
    {%- if not (project_dir.startswith('/') and database.startswith('/')) -%}
        {#- Not a POSIX path (Windows): left to segmentation.publish. -#}
        {{ return('') }}
    {%- endif -%}
    {%- set database = absolute_path(database, project_dir) -%}
    {%- set exports = absolute_path(export_dir, project_dir) -%}
    {%- if database == exports or database.startswith(exports.rstrip('/') ~ '/') -%}
        {{ exceptions.raise_compiler_error(
            "SEGMENTATION_DUCKDB_PATH is " ~ database ~ ", inside var export_dir " ~ exports
            ~ ": publishing replaces the files there and would overwrite dbt's own database "
            ~ "(its run history and the stored fit). Keep dbt's file outside the export folder "
            ~ "(BI tools read the published copy in it), or choose another export_dir.") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro database_file_path() %}
    {#- The file of dbt's DuckDB database ('' in memory); called on DuckDB only. -#}
    {{ return(adapter.dispatch('database_file_path', 'customer_segmentation')()) }}
{% endmacro %}

{% macro default__database_file_path() %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__database_file_path() %}
    {{ return(run_query("select path from duckdb_databases() where database_name = current_database()"
                        ).columns[0].values()[0] or '') }}
{% endmacro %}


{% macro absolute_path(path, base) %}
    {#- `path` made absolute against `base` (POSIX), '~/' expanded, '.' and '..' folded. -#}
    {%- set path = path | string -%}
    {%- if path == '~' or path.startswith('~/') -%}
        {%- set path = env_var('HOME', '') ~ path[1:] -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for part in ((path if path.startswith('/') else base ~ '/' ~ path).split('/')) -%}
        {%- if part == '..' -%}
            {%- if parts -%}
                {%- do parts.pop() -%}
            {%- endif -%}
        {%- elif part not in ('', '.') -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('/' ~ parts | join('/')) }}
{% endmacro %}
