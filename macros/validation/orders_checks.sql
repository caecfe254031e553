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
        {%- set unique_id = 'model.customer_segmentation.' ~ name -%}
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


{% macro orders_rejections(rows_model='int_orders_with_issues') %}
    {#-
        What was rejected from the orders input, for error messages: {read,
        rejected, reason (the most common), example} where example is "data
        row N with <column> '<raw value>'" for the first row rejected for that
        reason ('' when the reason is a missing value). The rows come from
        `rows_model`: int_orders_with_issues (small, built beside the fit), or
        the int_orders_validated view when the caller runs before that table.
    -#}
    {%- set raw_column = {
        'unparseable order_date': 'order_date',
        'order_date in the future': 'order_date',
        'order_date before min_plausible_date (a placeholder date?)': 'order_date',
        'non-numeric amount': 'amount',
        'implausible amount (NaN, infinite or beyond max_plausible_amount)': 'amount',
        'unknown customer_id': 'customer_id',
    } -%}
    {%- set query -%}
        with reasons as (
            select rejection_reason, count(*) as rows_rejected
            from {{ ref(rows_model) }}
            where rejection_reason is not null
            group by rejection_reason
        )
        select
            (select sum(rows_read) from {{ ref('int_input_row_counts') }} where source = 'orders'),
            (select sum(rows_rejected) from reasons),
            (select rejection_reason from reasons order by rows_rejected desc, rejection_reason limit 1)
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- set summary = {'read': row[0] or 0, 'rejected': row[1] or 0, 'reason': row[2], 'example': ''} -%}
    {%- if summary.reason in raw_column -%}
        {%- set column = raw_column[summary.reason] -%}
        {%- set example_query -%}
            select source_row_number, raw_{{ column }}
            from {{ ref(rows_model) }}
            where rejection_reason = {{ sql_string(summary.reason) }}
            order by source_row_number
            limit 1
        {%- endset -%}
        {%- set example = run_query(example_query).rows[0] -%}
        {%- do summary.update({'example': "data row " ~ example[0] ~ " with " ~ column
                                          ~ " '" ~ example[1] ~ "'"}) -%}
    {%- endif -%}
    {{ return(summary) }}
{% endmacro %}


{% macro orders_rejection_advice(reason) %}
    {#- What usually causes `reason` for a whole file, and the fix; '' when nothing general helps. -#}
    {%- if reason == 'unparseable order_date' -%}
        {{ return("For dates such as 31/12/2024 set var date_formats, e.g. ['%d/%m/%Y'].") }}
    {%- elif reason.startswith('missing ') -%}
        {{ return("Every such row has no " ~ reason[8:] ~ ": check that var column_map names "
                  ~ "the file's column for it.") }}
    {%- elif reason == 'non-numeric amount' -%}
        {{ return("Amounts must be plain numbers such as 1234.5 or -12.99: no currency symbol, "
                  ~ "thousands separator or decimal comma.") }}
    {%- elif reason == 'unknown customer_id' -%}
        {{ return("Orders must use the customer ids exactly as the customers file writes them "
                  ~ "(a spreadsheet may have dropped leading zeros in one of the files).") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro raise_if_every_order_rejected() %}
    {#-
        A file-level rule: an orders input none of whose rows was accepted is
        in a format the project does not read (dates, amounts, ids), so the
        build stops instead of segmenting on customer attributes alone. Called
        from int_as_of_date, upstream of every fit-tagged model, so a failed
        build leaves the stored model of the last fit whole for scoring.
        Checked only when this invocation built the counts and the order
        state (a partial selection may leave tables of another input); the
        accepted lines are the state's orders (int_customer_orders), so the
        check does not wait for the per-customer metrics; the reasons are then
        read from the int_orders_validated view, a second pass made only to
        explain the failure.
    -#}
    {%- for name in ['int_customer_order_state', 'int_input_row_counts'] -%}
        {%- if 'model.customer_segmentation.' ~ name not in selected_resources -%}
            {{ return('') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set counts -%}
        select
            coalesce((select sum(rows_read) from {{ ref('int_input_row_counts') }}
                      where source = 'orders'), 0),
            coalesce((select sum(accepted_order_lines) from {{ ref('int_customer_orders') }}), 0)
    {%- endset -%}
    {%- set row = run_query(counts).rows[0] -%}
    {%- if row[0] > 0 and row[1] == 0 -%}
        {%- set rejections = orders_rejections('int_orders_validated') -%}
        {{ exceptions.raise_compiler_error(
            "Every one of the " ~ rejections.read ~ " rows of " ~ input_description('orders')
            ~ " was rejected (see quarantined_rows), most as '" ~ rejections.reason ~ "'"
            ~ (", e.g. " ~ rejections.example if rejections.example else "") ~ ". "
            ~ orders_rejection_advice(rejections.reason)) }}
    {%- endif -%}
{% endmacro %}


{% macro orders_quarantine_hint() %}
    {#-
        For an error about features: when at least half of the orders rows
        were rejected, one sentence naming the file, how many, the most common
        reason with an example and the usual fix, else ''.
    -#}
    {%- set rejections = orders_rejections() -%}
    {%- if rejections.read == 0 or rejections.rejected * 2 < rejections.read -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(" " ~ rejections.rejected ~ " of the " ~ rejections.read ~ " rows of "
              ~ input_description('orders') ~ " were rejected, most as '" ~ rejections.reason
              ~ "'" ~ (", e.g. " ~ rejections.example if rejections.example else "")
              ~ " (see quarantined_rows). " ~ orders_rejection_advice(rejections.reason)) }}
{% endmacro %}


{% macro id_forms() %}
    {#-
        Ways an id is commonly rewritten between two exports, each as a SQL
        expression over `$id` giving the id with that difference removed.
        Whitespace: spaces, tabs and no-break spaces anywhere in the id.
    -#}
    {{ return({
        'leading zeros': "ltrim($id, '0')",
        'upper/lower case': "lower($id)",
        'spaces or tabs': "replace(replace(replace($id, ' ', ''), chr(9), ''), chr(160), '')",
    }) }}
{% endmacro %}


{% macro warn_if_order_customer_ids_unmatched() %}
    {#-
        A warning when more than var unmatched_order_lines_warn_share of the
        orders rows name a customer_id that matches no accepted customer
        (quarantined as 'unknown customer_id'). A few orphan lines are normal
        (deleted customers); a fifth of them is usually one file writing the
        ids differently (a spreadsheet dropping leading zeros, upper case in
        one system), and those lines would silently be missing from every
        customer's metrics. The warning shows the order ids beside the
        customer ids they match once the usual differences are ignored, or
        else examples of both forms. Read from int_orders_with_issues (only
        the rows set aside) and int_customers_validated; the comparison runs
        only when the share is exceeded.
    -#}
    {%- set limit = checked_var('unmatched_order_lines_warn_share') -%}
    {%- set counts -%}
        select
            coalesce((select sum(rows_read) from {{ ref('int_input_row_counts') }}
                      where source = 'orders'), 0),
            (select count(*) from {{ ref('int_orders_with_issues') }}
             where rejection_reason = 'unknown customer_id')
    {%- endset -%}
    {%- set row = run_query(counts).rows[0] -%}
    {%- set read, unmatched = row[0] | int, row[1] | int -%}
    {%- if read == 0 or unmatched <= limit * read -%}
        {{ return('') }}
    {%- endif -%}
    {%- set forms = id_forms() -%}
    {%- set all_forms = namespace(expression='$id') -%}
    {%- for expression in forms.values() -%}
        {%- set all_forms.expression = expression | replace('$id', '(' ~ all_forms.expression ~ ')') -%}
    {%- endfor -%}
    {%- set comparison -%}
        with

        unmatched as (
            select distinct customer_id from {{ ref('int_orders_with_issues') }}
            where rejection_reason = 'unknown customer_id'
        ),

        customers as (
            select customer_id from {{ ref('int_customers_validated') }}
            where rejection_reason is null
        ),

        matched as (
            select unmatched.customer_id as order_customer_id, customers.customer_id
            from unmatched
            inner join customers
                on {{ all_forms.expression | replace('$id', 'unmatched.customer_id') }}
                    = {{ all_forms.expression | replace('$id', 'customers.customer_id') }}
        )

        select
            (select count(*) from unmatched),
            (select count(distinct order_customer_id) from matched),
            {%- for expression in forms.values() %}
            (select count(distinct order_customer_id) from matched
             where {{ expression | replace('$id', 'order_customer_id') }}
                 = {{ expression | replace('$id', 'customer_id') }}),
            {%- endfor %}
            (select {{ ordered_string_agg(
                        "'''' || order_customer_id || ''' (customers: ''' || customer_id || ''')'",
                        "', '", ['order_customer_id', 'customer_id']) }}
             from (select * from matched order by order_customer_id, customer_id limit 3) as firsts),
            (select {{ ordered_string_agg("'''' || customer_id || ''''", "', '", ['customer_id']) }}
             from (select customer_id from unmatched order by customer_id limit 3) as firsts),
            (select {{ ordered_string_agg("'''' || customer_id || ''''", "', '", ['customer_id']) }}
             from (select customer_id from customers order by customer_id limit 3) as firsts)
    {%- endset -%}
    {%- set found = run_query(comparison).rows[0] -%}
    {%- set distinct_ids, explained = found[0], found[1] -%}
    {%- set reasons = [] -%}
    {%- for form in forms -%}
        {%- if found[2 + loop.index0] -%}
            {%- do reasons.append(form) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set message = unmatched ~ " of the " ~ read ~ " rows of " ~ input_description('orders')
        ~ " (" ~ (100.0 * unmatched / read) | round(1) ~ "%, more than var "
        ~ "unmatched_order_lines_warn_share " ~ limit ~ ") name a customer_id that matches no "
        ~ "customer; they are left out of every customer's metrics (quarantined_rows, "
        ~ "'unknown customer_id'). " -%}
    {%- if explained -%}
        {%- set message = message ~ explained ~ " of their " ~ distinct_ids ~ " ids match a "
            ~ "customer once " ~ (reasons | join(' and ') if reasons else 'leading zeros, case and spaces')
            ~ " are ignored, e.g. " ~ found[5] ~ ": the two files write the ids differently. "
            ~ "Export both with the ids exactly alike (a spreadsheet drops leading zeros; keep "
            ~ "the column as text)." -%}
    {%- else -%}
        {%- set message = message ~ "Orders name customer ids such as " ~ found[6]
            ~ "; the customers file has ids such as " ~ found[7]
            ~ ". Check that both files come from the same system and export." -%}
    {%- endif -%}
    {%- do exceptions.warn(message) -%}
    {{ return('') }}
{% endmacro %}
