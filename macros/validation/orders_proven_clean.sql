{% macro orders_proven_clean() %}
    {#-
        True when exact counts of this invocation prove that no orders row
        needs quarantining: the rows read (int_input_row_counts) equal the
        accepted lines counted into int_customer_order_metrics, and no
        accepted line had a value set aside. False whenever the proof is not
        available: either model not built in this invocation (a partial
        selection would leave a stale table from another input), or missing.
    -#}
    {%- set needed = ['int_customer_order_metrics', 'int_input_row_counts'] -%}
    {%- for name in needed -%}
        {%- set unique_id = 'model.' ~ project_name ~ '.' ~ name -%}
        {%- if unique_id not in selected_resources -%}
            {{ return(false) }}
        {%- endif -%}
        {%- if adapter.get_relation(database=ref(name).database, schema=ref(name).schema,
                                    identifier=ref(name).identifier) is none -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set proof -%}
        select
            coalesce((select sum(rows_read) from {{ ref('int_input_row_counts') }}
                      where source = 'orders'), 0)
                = coalesce((select sum(accepted_order_lines) from {{ ref('int_customer_order_metrics') }}), 0)
            and coalesce((select sum(lines_with_set_aside_values)
                          from {{ ref('int_customer_order_metrics') }}), 0) = 0
    {%- endset -%}
    {{ return(run_query(proof).columns[0].values()[0] == true) }}
{% endmacro %}
