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


{% macro orders_quarantine_hint() %}
    {#-
        For an error about features: when at least half of the orders rows
        were rejected, one sentence naming the file, how many and the most
        common reason (a date format other than ISO is the usual cause), else ''.
    -#}
    {%- set query -%}
        with reasons as (
            select rejection_reason, count(*) as rows_rejected
            from {{ ref('int_orders_with_issues') }}
            where rejection_reason is not null
            group by rejection_reason
        )
        select
            (select sum(rows_read) from {{ ref('int_input_row_counts') }} where source = 'orders'),
            (select sum(rows_rejected) from reasons),
            (select rejection_reason from reasons order by rows_rejected desc, rejection_reason limit 1)
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- set read, rejected, reason = row[0] or 0, row[1] or 0, row[2] -%}
    {%- if read == 0 or rejected * 2 < read -%}
        {{ return('') }}
    {%- endif -%}
    {%- set hint = " " ~ rejected ~ " of the " ~ read ~ " rows of " ~ input_description('orders')
        ~ " were rejected, most as '" ~ reason ~ "' (see quarantined_rows)" -%}
    {%- if 'order_date' in reason -%}
        {%- set hint = hint ~ "; for dates such as 31/12/2024 set var date_formats, e.g. ['%d/%m/%Y']" -%}
    {%- endif -%}
    {{ return(hint ~ ".") }}
{% endmacro %}
