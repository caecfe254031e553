{% macro history_relation(identifier) %}
    {#-
        The relation of a history table (segmentation_runs,
        customer_segment_history, ...) as it stood before this build, or none
        when it does not exist yet (a first build). Read at compile time, like
        model_inputs(): the models that look back at the previous run must not
        ref() the history tables, which are written from them (a cycle).
    -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema,
                                   identifier=identifier)) }}
{% endmacro %}


{% macro run_id_of(date_expression) %}
    {#- The run id of an as_of_date: the date as an integer yyyymmdd (20250630). -#}
    cast(extract(year from {{ date_expression }}) * 10000
         + extract(month from {{ date_expression }}) * 100
         + extract(day from {{ date_expression }}) as integer)
{%- endmacro %}
