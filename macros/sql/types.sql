{#-
    Casts and types this project needs to behave the same on every engine,
    called in its own namespace. They are not overrides of dbt's macros: a
    host project that installs this one as a package does not read this
    project's dispatch config, so overriding dbt.safe_cast or dbt.type_float
    here would silently change nothing there (a plain cast that fails the
    build on one bad value; FLOAT, a 4-byte real that loses cents on DuckDB
    and Spark).
-#}

{% macro type_double() %}
    {#- An 8-byte floating point type: money keeps its cents. -#}
    {{ return(adapter.dispatch('type_double', 'customer_segmentation')()) }}
{% endmacro %}

{% macro default__type_double() %}
    {{ return('double') }}
{% endmacro %}

{% macro bigquery__type_double() %}
    {{ return('float64') }}
{% endmacro %}


{% macro cast_or_null(field, type) %}
    {#- `field` as `type`, or null where it does not convert (never an error
        that stops the build on one bad value). -#}
    {{ return(adapter.dispatch('cast_or_null', 'customer_segmentation')(field, type)) }}
{% endmacro %}

{% macro default__cast_or_null(field, type) %}
    {{ return(cast_or_null(field, type)) }}
{% endmacro %}

{% macro duckdb__cast_or_null(field, type) %}
    {{ return('try_cast(' ~ field ~ ' as ' ~ type ~ ')') }}
{% endmacro %}

{% macro spark__cast_or_null(field, type) %}
    {{ return('try_cast(' ~ field ~ ' as ' ~ type ~ ')') }}
{% endmacro %}
