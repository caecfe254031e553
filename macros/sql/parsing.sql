{#-
    Parsing raw text into typed values. A value that does not parse becomes
    null; the models that call these keep the raw text beside it, so a failed
    parse is reported (quarantined_rows, quarantined_values), never lost.
-#}

{% macro clean_text(expression) %}
    {#- Trimmed text, with '' meaning missing. -#}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{% macro parse_number(expression) %}
    {{ dbt.safe_cast(clean_text(expression), dbt.type_float()) }}
{%- endmacro %}


{% macro parse_date(expression) %}
    {{ return(adapter.dispatch('parse_date', 'customer_segmentation')(expression)) }}
{%- endmacro %}

{% macro default__parse_date(expression) %}
    {{ dbt.safe_cast(clean_text(expression), 'date') }}
{%- endmacro %}

{% macro duckdb__parse_date(expression) %}
    {#- ISO dates, ISO timestamps (the date part is kept), then any extra formats. -#}
    coalesce(
        try_cast({{ clean_text(expression) }} as date),
        cast(try_cast({{ clean_text(expression) }} as timestamp) as date)
        {%- for date_format in var('date_formats', []) %},
        cast(try_strptime({{ clean_text(expression) }}, '{{ date_format }}') as date)
        {%- endfor %}
    )
{%- endmacro %}


{% macro raw_values_json(columns) %}
    {#-
        The raw text of `columns` as one JSON object string, so a quarantined
        row keeps every value it arrived with, whatever its shape.
    -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set value -%}
            coalesce('"' || replace(replace(cast({{ column }} as {{ dbt.type_string() }}), '\', '\\'), '"', '\"') || '"', 'null')
        {%- endset -%}
        {%- do parts.append("'" ~ ('{' if loop.first else ', ') ~ '"' ~ column ~ '": ' ~ "'") -%}
        {%- do parts.append(value) -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{% macro quantile(expression, fraction) %}
    {{ return(adapter.dispatch('quantile', 'customer_segmentation')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile(expression, fraction) %}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__quantile(expression, fraction) %}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{% macro sql_string_list(values) %}
    {#- ('a', 'b') for an IN list; lower-cased, quotes escaped. -#}
    ({% for value in values %}'{{ value | lower | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
