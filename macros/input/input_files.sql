{#-
    Everything that touches the user's files lives in these macros, and only
    staging models call them: on a warehouse engine the same staging models can
    point at tables instead, and every downstream model stays as it is.
-#}

{% macro input_entities() %}
    {#- The canonical columns of each input, and which of them must be present. -#}
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
        },
    }) }}
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
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set input_dir = var('input_dir') | string | trim -%}
    {%- set input_dir = input_dir.rstrip('/') -%}
    {%- set candidates = [] -%}
    {%- for file_format in ['csv', 'parquet'] -%}
        {%- set path = input_dir ~ '/' ~ entity ~ '.' ~ file_format -%}
        {%- set found = run_query("select count(*) from glob('" ~ path | replace("'", "''") ~ "')") -%}
        {%- if found.columns[0].values()[0] > 0 -%}
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
    {%- if not var('input_dir') -%}
        {{ return(ref('demo_' ~ entity)) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file = input_file(entity) -%}
    {%- if file is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set path = file.path | replace("'", "''") -%}
    {%- if file.format == 'csv' -%}
        {{ return("read_csv('" ~ path ~ "', header = true, all_varchar = true, encoding = '"
                  ~ (var('csv_encoding', 'utf-8') | lower) ~ "')") }}
    {%- else -%}
        {{ return("read_parquet('" ~ path ~ "')") }}
    {%- endif -%}
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
        {%- set path = file.path | replace("'", "''") -%}
        {{ return("select * exclude (file_row_number), file_row_number + 1 as source_row_number"
            ~ " from read_parquet('" ~ path ~ "', file_row_number = true)") }}
    {%- endif -%}
    {{ return("select *, row_number() over () as source_row_number from " ~ relation) }}
{% endmacro %}


{% macro input_description(entity) %}
    {#- How error messages name an input: its file path, or the demo seed. -#}
    {%- if not var('input_dir') -%}
        {{ return('seed demo_' ~ entity) }}
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
    {%- set overrides = (var('column_map') or {}).get(entity, {}) or {} -%}
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
            {%- set source_column = adapter.quote(mapping[canonical]) -%}
            {%- if source_types.get(mapping[canonical], 'VARCHAR') == 'VARCHAR' -%}
                {#- = nullif(trim(x), ''), but only values with an edge space pay for
                    the trim: at 20M order lines trimming every id cost 0.5 s a pass. -#}
                {%- do columns.append(
                    "case when " ~ source_column ~ " like ' %' or " ~ source_column ~ " like '% '"
                    ~ " then nullif(trim(" ~ source_column ~ "), '') else nullif(" ~ source_column
                    ~ ", '') end as " ~ canonical) -%}
            {%- else -%}
                {%- do columns.append(source_column ~ ' as ' ~ canonical) -%}
            {%- endif -%}
        {%- else -%}
            {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ canonical) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column in input_source_columns(entity) -%}
        {%- if column not in mapped_sources and (column | lower) not in spec.required + spec.optional -%}
            {%- do columns.append(adapter.quote(column) ~ ' as ' ~ adapter.quote('extra__' ~ column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
