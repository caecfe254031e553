{% macro validate_segmentation_inputs() %}
    {#-
        Runs before any model (on-run-start) and stops the build with one clear
        message when a var breaks its rule (validate_vars) or the input cannot
        be segmented at all: a missing folder or
        file, a missing required column, a column_map entry that names nothing,
        an unknown feature, an empty customers file, fewer customers than
        clusters, or a k range that makes no sense. Row-level problems are not
        errors: those rows go to quarantined_rows.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ validate_vars() }}
    {%- set given = [] -%}
    {%- for name, what in [('input_dir', 'files'), ('input_schema', 'tables'),
                           ('input_customers_model', 'models')] if var(name) -%}
        {%- do given.append('var ' ~ name ~ ' (' ~ what ~ ')') -%}
    {%- endfor -%}
    {%- if given | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            given | join(' and ') ~ " are both set: the build reads one input. Leave out all but "
            ~ "the one that names your customers.") }}
    {%- endif -%}
    {%- if var('input_orders_model') and not var('input_customers_model') -%}
        {{ exceptions.raise_compiler_error(
            "var input_orders_model is set but var input_customers_model is not: name the model "
            ~ "that holds the customers too.") }}
    {%- endif -%}
    {%- set models_unbuilt = input_kind() == 'models' and not input_model('customers').built -%}
    {%- if input_kind() == 'files' -%}
        {{ validate_input_files() }}
    {%- elif input_kind() == 'tables' -%}
        {{ validate_input_tables() }}
    {%- elif input_kind() == 'models' -%}
        {{ validate_input_models() }}
    {%- else -%}
        {%- do log("Reading the demo company shipped as seeds (demo_customers, demo_orders): "
                   ~ "var input_dir is not set. Your own data: --vars '{input_dir: <folder>}'",
                   info=true) -%}
    {%- endif -%}
    {%- if not models_unbuilt -%}
        {#- Else the features are checked when the models that use them compile. -#}
        {%- do selected_features() -%}
    {%- endif -%}
    {{ check_history_continues() }}
    {{ log_build_destination() }}
    {{ return('') }}
{% endmacro %}


{% macro input_source_name() %}
    {#- What a run read, as segmentation_runs.input_source records it. -#}
    {%- if input_kind() == 'files' -%}
        {{ return((var('input_dir') | string | trim).rstrip('/')) }}
    {%- elif input_kind() == 'tables' -%}
        {{ return('table ' ~ ((var('input_database') ~ '.') if var('input_database') else '')
                  ~ var('input_schema') ~ '.' ~ var('input_customers_table')) }}
    {%- elif input_kind() == 'models' -%}
        {{ return('model ' ~ var('input_customers_model')) }}
    {%- endif -%}
    {{ return('demo seeds') }}
{% endmacro %}


{% macro check_history_continues() %}
    {#-
        One history per data set. The database's history (segmentation_runs
        and the other history marts) belongs to the input that recorded it: a
        build matches its segments with the latest run's and takes over their
        ids and names. So a build stops, before any model runs, when
          - var as_of_date is earlier than the latest recorded run (whose
            migration and drift were computed without it), unless var
            allow_backfill;
          - its input is not the latest run's (segmentation_runs.input_source:
            var input_dir as given, or the demo seeds), unless var
            continue_history (the same company, exported to another folder).
            Runs recorded before input_source existed are compared by their
            customers: fewer than half of them in this input is another input.
        The message says how many of the latest run's customers this input
        holds (ids compared trimmed, as staging reads them), to help decide.
    -#}
    {%- set runs = adapter.get_relation(database=target.database, schema=target.schema,
                                        identifier='segmentation_runs') -%}
    {%- set history = adapter.get_relation(database=target.database, schema=target.schema,
                                           identifier='customer_segment_history') -%}
    {%- if runs is none or history is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set has_source = 'input_source' in (adapter.get_columns_in_relation(runs)
                                            | map(attribute='name') | list) -%}
    {%- set latest = run_query(
        "select run_id, cast(as_of_date as " ~ dbt.type_string() ~ "), "
        ~ ("input_source" if has_source else "cast(null as " ~ dbt.type_string() ~ ")")
        ~ " from " ~ runs ~ " order by run_id desc limit 1").rows -%}
    {%- if not latest -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest_run_id, latest_date, latest_source = latest[0][0], latest[0][1], latest[0][2] -%}
    {%- set database = build_destination() -%}
    {%- if checked_var('as_of_date') and checked_var('as_of_date') < latest_date
          and not checked_var('allow_backfill') -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date " ~ checked_var('as_of_date') ~ " is earlier than the latest run "
            ~ database ~ " holds (as of " ~ latest_date ~ "), whose migration and drift were "
            ~ "computed without it. Build the history in date order, into a database of its own "
            ~ "(SEGMENTATION_DUCKDB_PATH=<file>.duckdb); or, to record this earlier run anyway "
            ~ "and rebuild the later dates after it, " ~ vars_option({'allow_backfill': true}) ~ ".") }}
    {%- endif -%}
    {%- if checked_var('continue_history') or latest_source == input_source_name() -%}
        {{ return('') }}
    {%- endif -%}
    {%- if input_kind() == 'models' and not input_model('customers').built -%}
        {%- set relation = none -%}
        {%- set id_column = none -%}
    {%- elif input_kind() != 'demo' -%}
        {%- set relation = input_relation('customers') -%}
        {%- set id_column = input_column_mapping('customers').get('customer_id') -%}
    {%- else -%}
        {#- The demo seeds are loaded by this build, after this check: compare
            with the table an earlier demo build left, if any. -#}
        {%- set relation = adapter.get_relation(database=target.database, schema=target.schema,
                                                identifier='demo_customers') -%}
        {%- set id_column = 'customer_id' -%}
    {%- endif -%}
    {%- if relation is none or id_column is none -%}
        {%- set input_ids = "select cast(null as " ~ dbt.type_string() ~ ") as customer_id where 1 = 0" -%}
    {%- else -%}
        {%- set input_ids = "select distinct trim(cast(" ~ quoted_name(id_column) ~ " as "
                            ~ dbt.type_string() ~ ")) as customer_id from " ~ relation -%}
    {%- endif -%}
    {%- set overlap = run_query(
        "select count(*), count(input_ids.customer_id) from (select distinct customer_id from "
        ~ history ~ " where run_id = " ~ latest_run_id ~ ") as recorded left join ("
        ~ input_ids ~ ") as input_ids on recorded.customer_id = input_ids.customer_id").rows[0] -%}
    {%- set recorded, present = overlap[0] | int, overlap[1] | int -%}
    {%- if latest_source is none and present * 2 >= recorded -%}
        {{ return('') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        database ~ " holds the history of another input: its latest run (as of " ~ latest_date
        ~ ") read " ~ (latest_source or "an input of other customers") ~ ", this build reads "
        ~ input_source_name() ~ ", which holds " ~ count_text(present) ~ " of that run's "
        ~ count_text(recorded) ~ " customers. A build continues the history of the file it "
        ~ "writes (its segments take over that run's ids and names). Build this input into a "
        ~ "database and export folder of its own: SEGMENTATION_DUCKDB_PATH=<file>.duckdb dbt "
        ~ "build " ~ vars_option({'export_dir': '<folder>'}) ~ ". If it is the same company "
        ~ "(exported to another folder, or its ids changed): " ~ vars_option({'continue_history': true})
        ~ ".") }}
{% endmacro %}


{% macro log_build_destination() %}
    {#- Says, before any model runs, where this build writes and whether it
        continues a recorded history, so a build into the wrong file is seen
        before it is made. -#}
    {%- set database = build_destination() -%}
    {%- set runs = adapter.get_relation(database=target.database, schema=target.schema,
                                        identifier='segmentation_runs') -%}
    {%- if runs is none -%}
        {%- set history = "has no recorded run yet: this build starts its history" -%}
    {%- else -%}
        {%- set recorded = run_query("select count(*), max(as_of_date) from " ~ runs).rows[0] -%}
        {%- set history = "holds " ~ recorded[0] ~ " recorded run" ~ ("" if recorded[0] == 1 else "s")
                          ~ " (the latest as of " ~ recorded[1] ~ "): this build continues that history" -%}
    {%- endif -%}
    {%- if not var('export_dir') -%}
        {%- set publishing = "publishing nothing (var export_dir is null)" -%}
    {%- elif target.type != 'duckdb' -%}
        {%- set publishing = "publishing no files (var export_dir is for DuckDB builds: on "
                             ~ target.type ~ " BI tools read the marts in the schema)" -%}
    {%- else -%}
        {%- set publishing = "publishing the marts into " ~ var('export_dir') ~ "/ (var export_dir)" -%}
    {%- endif -%}
    {%- do log("Writing to " ~ database ~ ", which " ~ history ~ "; " ~ publishing, info=true) -%}
{% endmacro %}


{% macro build_destination() %}
    {#- Where this build writes, as messages name it: DuckDB's file, else the schema. -#}
    {%- if target.get('path') -%}
        {{ return(target.path) }}
    {%- endif -%}
    {{ return(target.type ~ " schema " ~ ((target.database ~ '.') if target.database else '')
              ~ target.schema) }}
{% endmacro %}


{% macro validate_input_files() %}
    {%- set input_dir = var('input_dir') | string -%}
    {%- if file_count(glob_pattern(input_dir.rstrip('/')) ~ '/*') == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var input_dir=" ~ input_dir ~ " is not a folder with files in it. It must hold "
            ~ "customers.csv or customers.parquet, and optionally orders.csv or orders.parquet.") }}
    {%- endif -%}
    {{ validate_column_map_sections() }}
    {%- for entity, spec in input_entities().items() -%}
        {%- set file = input_file(entity) -%}
        {%- if file is none and spec.file_required -%}
            {{ exceptions.raise_compiler_error(
                "No " ~ entity ~ " file in " ~ input_dir ~ ": expected " ~ entity ~ ".csv or "
                ~ entity ~ ".parquet.") }}
        {%- endif -%}
        {%- if file is not none -%}
            {#- Said before the first read, so a file the reader chokes on
                (a corrupt Parquet footer) is named beside DuckDB's error. -#}
            {%- do log("Reading " ~ entity ~ " from " ~ file.path, info=true) -%}
            {%- set size = file_size(glob_pattern(file.path)) -%}
            {%- if size == 0 -%}
                {{ exceptions.raise_compiler_error(
                    file.path ~ " is empty (0 bytes): export the " ~ entity ~ " again, or remove the file"
                    ~ (" (orders are optional)." if not spec.file_required else ".")) }}
            {%- endif -%}
            {{ validate_input_columns(entity, file, spec) }}
        {%- endif -%}
    {%- endfor -%}
    {{ validate_customer_count() }}
{% endmacro %}


{% macro validate_input_tables() %}
    {#- The tables twin of validate_input_files: the customers table exists,
        each input is named in the log with its row count before any model
        runs, and the columns pass the same checks as a file's. -#}
    {{ validate_column_map_sections() }}
    {%- for entity, spec in input_entities().items() -%}
        {%- set table = input_table(entity) -%}
        {%- set named = input_table_name(entity) -%}
        {%- if table is none and spec.file_required -%}
            {{ exceptions.raise_compiler_error(
                "No table or view " ~ named ~ " for the " ~ entity ~ " (vars input_schema, input_"
                ~ entity ~ "_table" ~ (", input_database" if var('input_database') else "")
                ~ "). Name the schema and table that hold them, e.g. --vars '{input_schema: raw, input_"
                ~ entity ~ "_table: " ~ entity ~ "}'.") }}
        {%- elif table is none -%}
            {%- do log("No table " ~ named ~ " (var input_" ~ entity ~ "_table): reading customers only",
                       info=true) -%}
        {%- else -%}
            {{ log_and_check_input(entity, table, spec, 'table ' ~ table.path, '') }}
        {%- endif -%}
    {%- endfor -%}
    {{ validate_customer_count() }}
{% endmacro %}


{% macro validate_input_models() %}
    {#- The models twin of validate_input_tables. A model the host project
        builds in this same run does not exist yet: it is named in the log and
        checked by validate_model_input when staging runs, right after it. -#}
    {{ validate_column_map_sections() }}
    {%- for entity, spec in input_entities().items() -%}
        {%- set model = input_model(entity) -%}
        {%- if model is none -%}
            {%- do log("No " ~ entity ~ " model (var input_" ~ entity ~ "_model is null): reading "
                       ~ "customers only", info=true) -%}
        {%- elif not model.built -%}
            {%- do log("Reading " ~ entity ~ " from " ~ model.path ~ ", which this build makes first: "
                       ~ "its columns are checked when stg_input__" ~ entity ~ " runs", info=true) -%}
        {%- else -%}
            {{ log_and_check_input(entity, model, spec, model.path,
                                   ' as last built; this build refreshes it first') }}
        {%- endif -%}
    {%- endfor -%}
    {%- if input_model('customers').built -%}
        {{ validate_customer_count() }}
    {%- endif -%}
{% endmacro %}


{% macro validate_model_input(entity) %}
    {#- Called by the staging models: with models of the host project as input
        (var input_customers_model), the checks validate_input_files makes for a
        file before any model runs, made once the model exists. -#}
    {%- if not execute or input_kind() != 'models' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set model = input_model(entity) -%}
    {%- if model is not none -%}
        {{ validate_input_columns(entity, model, input_entities()[entity]) }}
        {%- if entity == 'customers' -%}
            {{ validate_customer_count() }}
            {%- do selected_features() -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro log_and_check_input(entity, input, spec, label, note) %}
    {#- A table or model input that exists: named in the log with its row
        count before any model runs, then its columns checked as a file's. -#}
    {%- set rows = run_query("select count(*) from " ~ input.relation).columns[0].values()[0] -%}
    {%- do log("Reading " ~ entity ~ " from " ~ label ~ " (" ~ count_text(rows) ~ " rows" ~ note ~ ")",
               info=true) -%}
    {{ validate_input_columns(entity, input, spec) }}
{% endmacro %}


{% macro validate_column_map_sections() %}
    {%- set known_entities = input_entities() -%}
    {%- for entity in checked_var('column_map').keys() -%}
        {%- if entity not in known_entities -%}
            {{ exceptions.raise_compiler_error(
                "var column_map has a section '" ~ entity ~ "'; the inputs are "
                ~ (known_entities.keys() | join(' and ')) ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro validate_input_columns(entity, file, spec) %}
    {%- set source_columns = input_source_columns(entity) -%}
    {%- set overrides = checked_var('column_map').get(entity, {}) or {} -%}
    {%- for canonical, source_name in overrides.items() -%}
        {%- if canonical not in spec.required + spec.optional -%}
            {{ exceptions.raise_compiler_error(
                "var column_map." ~ entity ~ " maps '" ~ canonical ~ "', which is not a column this "
                ~ "project reads. Canonical " ~ entity ~ " columns: "
                ~ ((spec.required + spec.optional) | join(', ')) ~ ".") }}
        {%- endif -%}
        {%- if source_name not in source_columns -%}
            {{ exceptions.raise_compiler_error(
                "var column_map." ~ entity ~ "." ~ canonical ~ " = '" ~ source_name ~ "', but "
                ~ file.path ~ " has no column '" ~ source_name ~ "'. Its columns: "
                ~ (source_columns | join(', ')) ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set mapping = input_column_mapping(entity) -%}
    {%- for required in spec.required -%}
        {%- if required not in mapping -%}
            {{ exceptions.raise_compiler_error(
                file.path ~ " is missing required column '" ~ required ~ "'. Its columns: "
                ~ (source_columns | join(', ')) ~ ". If the column has another name, map it: "
                ~ "--vars '{column_map: {" ~ entity ~ ": {" ~ required ~ ": <source column>}}}'.") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro validate_customer_count() %}
    {%- set relation = input_relation('customers') -%}
    {%- set counted = run_query('select count(*) from ' ~ relation) -%}
    {%- set customers = counted.columns[0].values()[0] -%}
    {%- set min_clusters = (var('n_clusters') or var('k_min')) | int -%}
    {%- if customers == 0 -%}
        {{ exceptions.raise_compiler_error(input_description('customers') ~ " has no rows: there are no customers to segment.") }}
    {%- endif -%}
    {%- if customers < min_clusters -%}
        {{ exceptions.raise_compiler_error(
            input_description('customers') ~ " has " ~ customers ~ " rows, fewer than the "
            ~ min_clusters ~ " clusters asked for (var n_clusters / k_min).") }}
    {%- endif -%}
{% endmacro %}
