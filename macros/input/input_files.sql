{#-
    Everything that touches the user's files lives in these macros, and only
    staging models call them: on a warehouse engine the same staging models can
    point at tables instead, and every downstream model stays as it is.
-#}

{% macro input_entities() %}
    {#-
        The canonical columns of each input, and which of them must be
        present. without_null_tokens: order columns where a null token (var
        null_tokens) is left as text. In order_date, amount and quantity it
        is an unparseable value: the line is rejected (or the quantity set
        aside) either way, and its raw text says which token it was. In
        category and status it is a level of its own ('n/a' counts as a
        completed order): testing every text column of 20M order lines
        costs about 0.2 s a column, spent where a token would change a
        result, the ids.
    -#}
    {{ return({
        'customers': {
            'required': ['customer_id'],
            'optional': ['signup_date', 'age', 'birth_date', 'gender', 'country',
                         'annual_income', 'spending_score'],
            'file_required': true,
        },
        'orders': {
            'required': ['order_id', 'customer_id', 'order_date', 'amount'],
            'optional': ['category', 'status', 'quantity'],
            'file_required': false,
            'without_null_tokens': ['order_date', 'amount', 'quantity', 'category', 'status'],
        },
    }) }}
{% endmacro %}


{% macro input_kind() %}
    {#- Where the input comes from: 'files' (var input_dir), 'tables' (var
        input_schema: tables or views in the warehouse) or 'demo' (neither:
        the demo company shipped as seeds). Both set is refused on-run-start. -#}
    {%- if var('input_dir') -%}
        {{ return('files') }}
    {%- elif var('input_schema') -%}
        {{ return('tables') }}
    {%- elif var('input_customers_model') -%}
        {{ return('models') }}
    {%- endif -%}
    {{ return('demo') }}
{% endmacro %}


{% macro input_object(entity) %}
    {#- The file or table that holds `entity` ({'path', 'format', ...}; path is
        how messages name it), or none: the demo, or an absent input. -#}
    {%- set kind = input_kind() -%}
    {%- if kind == 'files' -%}
        {{ return(input_file(entity)) }}
    {%- elif kind == 'tables' -%}
        {{ return(input_table(entity)) }}
    {%- elif kind == 'models' -%}
        {{ return(input_model(entity)) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro input_model(entity) %}
    {#-
        The model (or seed) of the host project that holds `entity` when var
        input_customers_model is set: {'path': 'model <name>', 'format': 'table',
        'relation': its ref(), 'built': whether it exists in the warehouse yet},
        or none when its var is null (orders: customers only). On the first build
        the host's model is built in the same run, after the checks that run
        before any model: its columns are then checked when staging runs.
    -#}
    {%- set name = var('input_' ~ entity ~ '_model') -%}
    {%- if not name or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {#- Found in the graph, not by ref(): the checks before any model runs are
        hooks, which have no dependencies to record a ref in. -#}
    {%- set nodes = graph.nodes.values() | selectattr('name', 'equalto', checked_var('input_' ~ entity ~ '_model'))
                    | selectattr('package_name', 'equalto', project_name)
                    | selectattr('resource_type', 'in', ['model', 'seed', 'snapshot']) | list -%}
    {%- if not nodes -%}
        {{ exceptions.raise_compiler_error(
            "var input_" ~ entity ~ "_model = '" ~ name ~ "', but project " ~ project_name
            ~ " has no model, seed or snapshot of that name.") }}
    {%- endif -%}
    {%- set relation = api.Relation.create(database=nodes[0].database, schema=nodes[0].schema,
                                           identifier=nodes[0].alias or nodes[0].name) -%}
    {%- set found = adapter.get_relation(database=relation.database, schema=relation.schema,
                                         identifier=relation.identifier) -%}
    {{ return({'path': 'model ' ~ checked_var('input_' ~ entity ~ '_model'), 'format': 'table',
               'relation': relation, 'built': found is not none}) }}
{% endmacro %}


{% macro input_table(entity) %}
    {#-
        The table (or view) that holds `entity` when var input_schema is set:
        {'path': '<schema>.<table>' as named, 'format': 'table', 'relation': the
        source relation}, or none when it does not exist (orders are optional;
        a missing customers table stops the build on-run-start). The relation
        is the source segmentation_input (models/staging/_sources.yml), so the
        lineage of every model starts at a declared source.
    -#}
    {%- set declared = source('segmentation_input', entity) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(database=declared.database, schema=declared.schema,
                                         identifier=declared.identifier) -%}
    {{ return({'path': input_table_name(entity), 'format': 'table', 'relation': declared}
              if found is not none else none) }}
{% endmacro %}


{% macro input_table_name(entity) %}
    {#- How messages name the table of `entity`: [<input_database>.]<input_schema>.<table>. -#}
    {{ return(((checked_var('input_database') ~ '.') if checked_var('input_database') else '')
              ~ checked_var('input_schema') ~ '.' ~ checked_var('input_' ~ entity ~ '_table')) }}
{% endmacro %}


{% macro input_file(entity) %}
    {#-
        The file that holds `entity` in var('input_dir'):
        {'path': ..., 'format': 'csv' | 'parquet'}, or none when there is none.
        Two candidates (customers.csv and customers.parquet) is an error rather
        than a silent pick.
    -#}
    {{ return(adapter.dispatch('input_file', 'customer_segmentation')(entity)) }}
{% endmacro %}

{% macro default__input_file(entity) %}
    {{ files_need_duckdb() }}
{% endmacro %}

{% macro duckdb__input_file(entity) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set input_dir = var('input_dir') | string | trim -%}
    {%- set input_dir = input_dir.rstrip('/') -%}
    {%- set candidates = [] -%}
    {%- for file_format in ['csv', 'parquet'] -%}
        {%- set path = input_dir ~ '/' ~ entity ~ '.' ~ file_format -%}
        {%- if file_count(glob_pattern(path)) > 0 -%}
            {%- do candidates.append({'path': path, 'format': file_format}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if candidates | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "input_dir " ~ input_dir ~ " holds both " ~ entity ~ ".csv and " ~ entity
            ~ ".parquet: keep one of them so it is clear which to read.") }}
    {%- endif -%}
    {{ return(candidates[0] if candidates else none) }}
{% endmacro %}


{% macro input_relation(entity) %}
    {#-
        A FROM-able expression for the raw rows of `entity`: the user's file when
        var('input_dir') is set, the demo seed otherwise. CSV is read as text
        (all_varchar) so that staging, not the reader, decides what a bad value is,
        in var csv_encoding (validated on-run-start).
        Returns none when an optional input is absent.
    -#}
    {%- if input_kind() == 'demo' -%}
        {{ return(ref('demo_' ~ entity)) }}
    {%- endif -%}
    {%- if input_kind() == 'models' -%}
        {#- At parse time ref() records the lineage and the build order; when it
            runs, the relation comes from the graph, so a model that reads the
            other input's columns (the feature checks) needs no ref of its own. -#}
        {%- set name = var('input_' ~ entity ~ '_model') -%}
        {%- if not execute -%}
            {{ return(ref(project_name, name) if name else none) }}
        {%- endif -%}
        {%- set model = input_model(entity) -%}
        {{ return(model.relation if model else none) }}
    {%- endif -%}
    {%- if input_kind() == 'tables' -%}
        {#- At parse time the source() call records the lineage. -#}
        {%- set table = input_table(entity) -%}
        {{ return(source('segmentation_input', entity) if not execute
                  else (table.relation if table else none)) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file = input_file(entity) -%}
    {%- if file is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if file.format == 'csv' -%}
        {{ return(csv_reader(file.path)) }}
    {%- else -%}
        {{ return(parquet_reader(file.path)) }}
    {%- endif -%}
{% endmacro %}


{% macro files_need_duckdb() %}
    {#- Files are read by DuckDB's readers; other engines read tables. -#}
    {{ exceptions.raise_compiler_error(
        "var input_dir reads files, which this project does with DuckDB; on " ~ target.type
        ~ " load customers and orders into tables and name their schema with var input_schema "
        ~ "(docs/engines.md).") }}
{% endmacro %}


{% macro parquet_reader(path, with_row_number=false) %}
    {#- A FROM-able read of the Parquet file(s) `path`; with_row_number adds
        source_row_number, the 1-based row in the file. -#}
    {{ return(adapter.dispatch('parquet_reader', 'customer_segmentation')(path, with_row_number)) }}
{% endmacro %}

{% macro default__parquet_reader(path, with_row_number) %}
    {{ files_need_duckdb() }}
{% endmacro %}

{% macro duckdb__parquet_reader(path, with_row_number) %}
    {%- if with_row_number -%}
        {#- Parquet carries each row's position: numbering costs nothing. -#}
        {{ return("(select * exclude (file_row_number), file_row_number + 1 as source_row_number"
                  ~ " from read_parquet(" ~ sql_string(glob_pattern(path)) ~ ", file_row_number = true))") }}
    {%- endif -%}
    {{ return("read_parquet(" ~ sql_string(glob_pattern(path)) ~ ")") }}
{% endmacro %}


{% macro file_count(pattern) %}
    {#- How many files match the glob `pattern`. -#}
    {{ return(adapter.dispatch('file_count', 'customer_segmentation')(pattern)) }}
{% endmacro %}

{% macro default__file_count(pattern) %}
    {{ files_need_duckdb() }}
{% endmacro %}

{% macro duckdb__file_count(pattern) %}
    {{ return(run_query("select count(*) from glob(" ~ sql_string(pattern) ~ ")").rows[0][0]) }}
{% endmacro %}


{% macro file_size(pattern) %}
    {#- The size in bytes of the file `pattern` (a glob pattern of one existing file). -#}
    {{ return(adapter.dispatch('file_size', 'customer_segmentation')(pattern)) }}
{% endmacro %}

{% macro default__file_size(pattern) %}
    {{ files_need_duckdb() }}
{% endmacro %}

{% macro duckdb__file_size(pattern) %}
    {{ return(run_query("select size from read_blob(" ~ sql_string(pattern) ~ ")").rows[0][0]) }}
{% endmacro %}


{% macro csv_reader(path, rejects_table=none) %}
    {{ return(adapter.dispatch('csv_reader', 'customer_segmentation')(path, rejects_table)) }}
{% endmacro %}

{% macro default__csv_reader(path, rejects_table) %}
    {{ files_need_duckdb() }}
{% endmacro %}

{% macro duckdb__csv_reader(path, rejects_table) %}
    {#-
        read_csv of `path` as text, in var csv_encoding. A line the reader
        cannot split into the header's columns (too many or too few fields,
        bytes that are not in the encoding, a field beyond max_line_size) is
        skipped instead of stopping the build, and stg_input__unreadable_lines
        lists it with its line number: with `rejects_table`, the same read
        records those lines in temporary tables <rejects_table>_errors and
        <rejects_table>_scans. Skipping bad lines also keeps DuckDB's dialect
        sniffer from mistaking one ragged line for the file's shape.
    -#}
    {%- set options = [
        'header = true', 'all_varchar = true',
        'encoding = ' ~ sql_string(checked_var('csv_encoding')),
        'max_line_size = ' ~ csv_max_line_bytes(),
        'ignore_errors = true',
    ] -%}
    {%- if rejects_table -%}
        {%- do options.extend(['store_rejects = true',
                               'rejects_table = ' ~ sql_string(rejects_table ~ '_errors'),
                               'rejects_scan = ' ~ sql_string(rejects_table ~ '_scans')]) -%}
    {%- endif -%}
    {{ return("read_csv(" ~ sql_string(glob_pattern(path)) ~ ", " ~ options | join(', ') ~ ")") }}
{% endmacro %}


{% macro csv_reject_scans() %}
    {#-
        [{entity, path, rejects}] for each input read from CSV: the reads whose
        skipped lines stg_input__unreadable_lines records (rejects: the
        prefix of its temporary reject tables).
    -#}
    {%- set scans = [] -%}
    {%- for entity in input_entities() -%}
        {%- set file = input_file(entity) if var('input_dir') and execute else none -%}
        {%- if file is not none and file.format == 'csv' -%}
            {%- do scans.append({'entity': entity, 'path': file.path, 'rejects': 'unreadable_' ~ entity}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(scans) }}
{% endmacro %}


{% macro unreadable_lines_scans() %}
    {#- The pre-hook of stg_input__unreadable_lines: each CSV input read with its reject store on. -#}
    {%- set statements = [] -%}
    {%- for scan in csv_reject_scans() -%}
        {%- do statements.append('select count(*) from ' ~ csv_reader(scan.path, rejects_table=scan.rejects)) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n') if statements else 'select 1') }}
{% endmacro %}


{% macro csv_max_line_bytes() %}
    {#-
        Lines longer than this are unreadable lines (DuckDB's default is 2 MB,
        which a long free-text field can pass). Not more: a reader that
        re-encodes (csv_encoding latin-1, utf-16) allocates 16 times this
        per read, and at 64 MB two reads at once ran out of the 2 GB
        memory limit.
    -#}
    {{ return(8 * 1024 * 1024) }}
{% endmacro %}


{% macro input_rows_numbered(entity) %}
    {#-
        A select of the raw rows of `entity` with source_row_number, the 1-based
        data row in the file, so every message can point at the row. Parquet
        carries its row position (file_row_number), which costs nothing; CSV and
        the demo seed number rows in read order, a window over the whole file.
        Returns none when an optional input is absent.
    -#}
    {%- set relation = input_relation(entity) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file = input_file(entity) if var('input_dir') and execute else none -%}
    {%- if file is not none and file.format == 'parquet' -%}
        {{ return("select * from " ~ parquet_reader(file.path, with_row_number=true)) }}
    {%- endif -%}
    {%- if input_kind() in ('tables', 'models') and execute -%}
        {{ return(rows_numbered_by_values(entity, relation)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('rows_numbered_in_read_order', 'customer_segmentation')(entity, relation)) }}
{% endmacro %}

{% macro rows_numbered_by_values(entity, relation) %}
    {#- A table has no row order of its own: number its rows by all their
        values, the same numbers on every engine and every run. -#}
    {%- set columns = [] -%}
    {%- for column in input_source_columns(entity) -%}
        {%- do columns.append(quoted_name(column)) -%}
    {%- endfor -%}
    {{ return("select *, row_number() over (order by " ~ columns | join(', ')
              ~ ") as source_row_number from " ~ relation) }}
{% endmacro %}

{% macro default__rows_numbered_in_read_order(entity, relation) %}
    {#- Engines that do not keep a table's insertion order (the demo seeds on
        Spark) number by values. -#}
    {{ return(rows_numbered_by_values(entity, relation)) }}
{% endmacro %}

{% macro duckdb__rows_numbered_in_read_order(entity, relation) %}
    {#- DuckDB reads a CSV file or a seed in its order: row n is the file's row n. -#}
    {{ return("select *, row_number() over () as source_row_number from " ~ relation) }}
{% endmacro %}


{% macro input_description(entity) %}
    {#- How error messages name an input: its file path, its table, or the demo seed. -#}
    {%- if input_kind() == 'demo' -%}
        {{ return('seed demo_' ~ entity) }}
    {%- elif input_kind() == 'tables' -%}
        {%- set table = input_table(entity) if execute else none -%}
        {{ return(table.path if table else 'table ' ~ var('input_' ~ entity ~ '_table')) }}
    {%- elif input_kind() == 'models' -%}
        {{ return('model ' ~ var('input_' ~ entity ~ '_model')) }}
    {%- endif -%}
    {%- set file = input_file(entity) -%}
    {{ return(file.path if file else var('input_dir') ~ '/' ~ entity ~ '.csv|parquet') }}
{% endmacro %}


{% macro input_source_columns(entity) %}
    {#- Column names exactly as the input spells them ([] when it is absent). -#}
    {%- set relation = input_relation(entity) -%}
    {%- if relation is none or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query('select * from ' ~ relation ~ ' limit 0') -%}
    {{ return(result.column_names | list) }}
{% endmacro %}


{% macro input_source_column_types(entity) %}
    {#- {column name: DuckDB type} of the input ({} when it is absent). -#}
    {%- set relation = input_relation(entity) -%}
    {%- if relation is none or not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set described = run_query('describe select * from ' ~ relation) -%}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({row[0]: row[1] | upper}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{% macro input_column_mapping(entity) %}
    {#-
        {canonical_name: source_name} for every canonical column the input has,
        after var('column_map'). A canonical column with no source stays out.
    -#}
    {%- set spec = input_entities()[entity] -%}
    {%- set overrides = checked_var('column_map').get(entity, {}) or {} -%}
    {%- set source_columns = input_source_columns(entity) -%}
    {%- set lower_source = {} -%}
    {%- for column in source_columns -%}
        {%- do lower_source.update({column | lower | trim: column}) -%}
    {%- endfor -%}
    {%- set mapping = {} -%}
    {%- for canonical in spec.required + spec.optional -%}
        {%- if canonical in overrides -%}
            {%- do mapping.update({canonical: overrides[canonical]}) -%}
        {%- elif canonical in lower_source -%}
            {%- do mapping.update({canonical: lower_source[canonical]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(mapping) }}
{% endmacro %}


{% macro text_or_null(column, is_identifier=false, null_tokens=true) %}
    {#-
        Text with its edges trimmed; a blank, or one of var null_tokens
        (NULL, N/A, #N/A, ..., any case), made null: an export writes a
        missing value in many ways, and none of them is a real id.
        An identifier (is_identifier) loses any whitespace at the edges (space, tab, no-break space, CR,
        LF: a copied id often carries one, and a customer_id must match
        across the two files); other text loses spaces. Only values with
        such an edge pay for the trim: at 20M order lines trimming every
        value cost 0.5 s a column, and the wider test 0.3 s more, so it is
        kept to customer_id.
    -#}
    {%- set tokens = checked_var('null_tokens') if null_tokens else [] -%}
    {%- if is_identifier -%}
        {%- set trimmed = trim_characters(column, dbt.concat(["' '", 'chr(9)', 'chr(10)', 'chr(13)', 'chr(160)'])) -%}
        {%- set has_edge = column ~ " < '!' or " ~ dbt.right(column, 1) ~ " < '!' or " ~ column ~ " like "
            ~ dbt.concat(['chr(160)', "'%'"]) ~ " or " ~ column ~ " like " ~ dbt.concat(["'%'", 'chr(160)']) -%}
    {%- else -%}
        {%- set trimmed = 'trim(' ~ column ~ ')' -%}
        {%- set has_edge = column ~ " like ' %' or " ~ column ~ " like '% '" -%}
    {%- endif -%}
    case when {{ has_edge }}
        then {{ blank_or_token_to_null(trimmed, tokens) }}
        else {{ blank_or_token_to_null(column, tokens) }}
    end
{%- endmacro %}


{% macro blank_or_token_to_null(expression, tokens) %}
    {#-
        null for '' and, any case, for the tokens. The tokens are one string
        searched for the value between separators (unit separator, chr(31)),
        not an IN list: DuckDB plans an IN list of eight texts inside a CASE
        as a join, which no query can skip (counting the staging view's rows
        read every id: 11 s at 20M lines, against 0.01 s).
    -#}
    {%- if tokens -%}
        {%- set separator = '%c' | format(31) -%}
        case when {{ dbt.length(expression) }} <= {{ tokens | map('length') | max }}
                and {{ dbt.position(dbt.concat(['chr(31)', 'lower(' ~ expression ~ ')', 'chr(31)']),
                                    sql_string(separator ~ (tokens | map('lower') | join(separator)) ~ separator)) }} > 0
            then null else nullif({{ expression }}, '') end
    {%- else -%}
        nullif({{ expression }}, '')
    {%- endif -%}
{%- endmacro %}


{% macro trim_characters(expression, characters) %}
    {{ return(adapter.dispatch('trim_characters', 'customer_segmentation')(expression, characters)) }}
{%- endmacro %}

{% macro default__trim_characters(expression, characters) %}
    trim(both {{ characters }} from {{ expression }})
{%- endmacro %}

{% macro duckdb__trim_characters(expression, characters) %}
    trim({{ expression }}, {{ characters }})
{%- endmacro %}


{% macro staged_input_columns(entity) %}
    {#-
        The select list of a staging model: every canonical column as the
        source holds it, with text trimmed and blanks made null (CSV is all
        text; Parquet keeps its own types, which validation casts without a
        round trip through text); null text when the input lacks an optional
        column; then every other source column unchanged as extra__<name>,
        so nothing the user sent is dropped.
    -#}
    {%- set spec = input_entities()[entity] -%}
    {%- set mapping = input_column_mapping(entity) -%}
    {%- set mapped_sources = mapping.values() | list -%}
    {%- set source_types = input_source_column_types(entity) -%}
    {%- set columns = [] -%}
    {%- for canonical in spec.required + spec.optional -%}
        {%- if canonical in mapping -%}
            {%- set source_column = quoted_name(mapping[canonical]) -%}
            {%- if source_types.get(mapping[canonical], 'VARCHAR') in ('VARCHAR', 'STRING') -%}
                {%- do columns.append(text_or_null(source_column, is_identifier=canonical == 'customer_id',
                                                   null_tokens=canonical not in spec.get('without_null_tokens', []))
                                      ~ ' as ' ~ canonical) -%}
            {%- else -%}
                {%- do columns.append(source_column ~ ' as ' ~ canonical) -%}
            {%- endif -%}
        {%- else -%}
            {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ canonical) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set extra_names = [] -%}
    {%- for column in input_source_columns(entity) -%}
        {%- if column not in mapped_sources and (column | lower) not in spec.required + spec.optional -%}
            {#- Two headers with one snake_case name (Loyalty Tier, loyalty_tier)
                are both kept: the later one numbered, in file order. -#}
            {%- set base = 'extra__' ~ (snake_case(column) or 'column_' ~ loop.index) -%}
            {%- set ns = namespace(name=base, suffix=1) -%}
            {%- for _ in range(extra_names | length) if ns.name in extra_names -%}
                {%- set ns.suffix = ns.suffix + 1 -%}
                {%- set ns.name = base ~ '_' ~ ns.suffix -%}
            {%- endfor -%}
            {%- do extra_names.append(ns.name) -%}
            {%- do columns.append(quoted_name(column) ~ ' as ' ~ quoted_name(ns.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{% macro snake_case(name) %}
    {#- A source header as a column name a BI tool and SQL read without quotes:
        'Loyalty Tier' and 'LoyaltyTier' -> loyalty_tier, 'Spend (k$)' ->
        spend_k; letters other than a-z (é, ß) and symbols become '_'. -#}
    {%- set split_camel = modules.re.sub('([a-z0-9])([A-Z])', '\\1_\\2', name | string) -%}
    {{ return(modules.re.sub('[^a-z0-9]+', '_', split_camel | lower).strip('_')) }}
{% endmacro %}
