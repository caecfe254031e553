{% macro line_fingerprint(expressions) %}
    {#-
        A number in [0, 2^31) that changes when any of `expressions` (SQL
        expressions of one order line) changes. Summed per day, it tells an
        incremental build which days of the export changed since the last
        one (int_customer_order_state); 31 bits, so that a day's sum of
        millions of lines stays a bigint on every engine.
    -#}
    {{ return(adapter.dispatch('line_fingerprint', 'customer_segmentation')(expressions)) }}
{%- endmacro %}

{% macro default__line_fingerprint(expressions) %}
    cast(mod(hash({{ expressions | join(', ') }}), 2147483648) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__line_fingerprint(expressions) %}
    {#- hash() is a ubigint here: % keeps it positive. -#}
    cast(hash({{ expressions | join(', ') }}) % 2147483648 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__line_fingerprint(expressions) %}
    pmod(xxhash64({{ expressions | join(', ') }}), 2147483648)
{%- endmacro %}


{% macro order_key(order_id) %}
    {#-
        An order's id as a 64-bit integer (a hash): the key the order state
        groups and stores orders by, about half the cost of the text id at
        20M lines. Orders are keyed by (customer_key, order_key), so two
        orders would have to belong to the same customer and collide: about
        one chance in 10^10 with 10M customers of 20 orders each.
    -#}
    {{ return(adapter.dispatch('order_key', 'customer_segmentation')(order_id)) }}
{%- endmacro %}

{% macro default__order_key(order_id) %}
    cast(hash({{ order_id }}) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__order_key(order_id) %}
    {#- hash() is a ubigint: one bit less fits a bigint. -#}
    cast(hash({{ order_id }}) >> 1 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__order_key(order_id) %}
    xxhash64({{ order_id }})
{%- endmacro %}


{% macro get_incremental_replace_orders_sql(arg_dict) %}
    {#-
        The incremental strategy of int_customer_order_state (DuckDB):
        delete every stored row whose unique_key is in the batch, then insert
        the batch's rows that hold lines. A batch row with no line
        (accepted_order_lines = 0) is an order or a day that went away: it
        deletes its stored row and is not kept. A batch that regroups every
        order carries a row keyed -1: the table is emptied first.

        Then the purchase days: every day an order of the batch is on, as
        written now or as stored before, is deleted and grouped again from
        every order stored on it, so a day that also holds orders the batch
        did not touch keeps them. Then the purchase totals of every customer
        with a rebuilt day, from all of the customer's stored days.
    -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {#- A row keyed -1 says the batch regroups everything: empty the table (far
        cheaper than matching millions of keys). -#}
    {%- set everything = run_query('select count(*) from ' ~ batch ~ ' where customer_key = -1').columns[0].values()[0] > 0 -%}
    {%- set days_to_rebuild = target.identifier ~ '__purchase_days_to_rebuild' -%}
    {%- if everything %}
    delete from {{ target }};
    {%- else %}
    create or replace temporary table {{ days_to_rebuild }} as
    select customer_key, order_date
    from {{ batch }}
    where not is_day_total and accepted_order_lines > 0
        and has_purchase = 1 and order_date is not null
    union
    select stored.customer_key, stored.order_date
    from {{ target }} as stored
    inner join {{ batch }} as batch
        on stored.customer_key = batch.customer_key and stored.order_key = batch.order_key
    where not stored.is_day_total and not stored.is_purchase_day and not batch.is_day_total
        and stored.has_purchase = 1 and stored.order_date is not null;

    delete from {{ target }} as stored
    using {{ batch }} as batch
    where
        {%- for key in arg_dict['unique_key'] %}
        stored.{{ adapter.quote(key) }} = batch.{{ adapter.quote(key) }}{{ ' and' if not loop.last }}
        {%- endfor %};

    delete from {{ target }} as stored
    using {{ days_to_rebuild }} as rebuilt
    where stored.is_purchase_day and not stored.is_day_total
        and stored.customer_key = rebuilt.customer_key and stored.order_date = rebuilt.order_date;

    delete from {{ target }} as stored
    where stored.is_purchase_day and stored.is_day_total
        and stored.customer_key in (select customer_key from {{ days_to_rebuild }});
    {%- endif %}

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }} where accepted_order_lines > 0;

    {{ insert_purchase_days(target, none if everything else days_to_rebuild) }};

    {{ insert_purchase_totals(target, none if everything else days_to_rebuild) }}
    {%- if not everything %};
    drop table {{ days_to_rebuild }}
    {%- endif %}
{%- endmacro %}


{% macro order_state_columns() %}
    {#- The order state's columns in the order its inserts list their values. -#}
    is_day_total, is_purchase_day, customer_key, order_key, accepted_order_lines,
        lines_with_set_aside_values, first_line_date, last_line_date, order_date, has_purchase,
        has_return, has_uncancelled_line, purchase_amount, refunded_amount, units,
        line_fingerprint, as_of_window, purchase_days, first_day_value
{%- endmacro %}


{% macro insert_purchase_days(state, days_relation=none) %}
    {#-
        Adds to the order state `state` the purchase days of its stored
        orders: one row per customer and day with at least one purchase order
        in the window (what the customer-value models count as one purchase,
        int_customer_purchase_days), valued at the day's purchase amount in
        exact cents. Only the (customer_key, order_date) pairs of
        `days_relation` when given, else every one.
    -#}
    insert into {{ state }} ({{ order_state_columns() }})
    select
        false,
        true,
        orders.customer_key,
        -- The day as a number, as on a day's row.
        cast({{ dbt.datediff("cast('1970-01-01' as date)", 'orders.order_date', 'day') }} as {{ dbt.type_bigint() }}),
        cast(sum(orders.accepted_order_lines) as {{ dbt.type_bigint() }}),
        cast(sum(orders.lines_with_set_aside_values) as {{ dbt.type_bigint() }}),
        orders.order_date,
        orders.order_date,
        orders.order_date,
        1,
        max(orders.has_return),
        1,
        -- Exact cents: a sum of doubles differs in its last bit from run to
        -- run (parallel aggregation), and a day's value that lands on a half
        -- cent would then round either way.
        cast(cast(sum(orders.purchase_amount) as decimal(18, 2)) as {{ type_double() }}),
        cast(sum(orders.refunded_amount) as {{ type_double() }}),
        cast(sum(orders.units) as {{ type_double() }}),
        cast(null as {{ dbt.type_bigint() }}),
        max(orders.as_of_window),
        cast(null as {{ dbt.type_bigint() }}),
        cast(null as {{ type_double() }})
    from {{ state }} as orders
    {%- if days_relation is not none %}
    inner join {{ days_relation }} as rebuilt
        on orders.customer_key = rebuilt.customer_key and orders.order_date = rebuilt.order_date
    {%- endif %}
    where not orders.is_day_total and not orders.is_purchase_day
        and orders.has_purchase = 1 and orders.order_date is not null
    group by orders.customer_key, orders.order_date
{%- endmacro %}


{% macro insert_purchase_totals(state, days_relation=none) %}
    {#-
        Adds to the order state `state` each customer's purchase totals: their
        stored purchase days summed (int_customer_purchase_totals), what the
        customer-value summary reads instead of every purchase day. Only the
        customers of `days_relation` when given, else every one; call it
        after insert_purchase_days.
    -#}
    insert into {{ state }} ({{ order_state_columns() }})
    select
        true,
        true,
        days.customer_key,
        cast(0 as {{ dbt.type_bigint() }}),
        cast(sum(days.accepted_order_lines) as {{ dbt.type_bigint() }}),
        cast(sum(days.lines_with_set_aside_values) as {{ dbt.type_bigint() }}),
        min(days.order_date),
        max(days.order_date),
        min(days.order_date),
        1,
        max(days.has_return),
        1,
        -- Exact cents, as the days: the total is the same whatever order the
        -- engine adds the days in.
        cast(sum(cast(days.purchase_amount as decimal(18, 2))) as {{ type_double() }}),
        cast(sum(days.refunded_amount) as {{ type_double() }}),
        cast(sum(days.units) as {{ type_double() }}),
        cast(null as {{ dbt.type_bigint() }}),
        max(days.as_of_window),
        cast(count(*) as {{ dbt.type_bigint() }}),
        {{ first_by('days.purchase_amount', 'days.order_date') }}
    from {{ state }} as days
    where days.is_purchase_day and not days.is_day_total
    {%- if days_relation is not none %}
        and days.customer_key in (select customer_key from {{ days_relation }})
    {%- endif %}
    group by days.customer_key
{%- endmacro %}


{% macro add_purchase_days() %}
    {#-
        Post-hook of int_customer_order_state: after a build that wrote the
        table whole (the first, --full-refresh, or any build on an engine
        where it is a plain table) it has orders and no purchase day yet, and
        they are grouped from its orders here, once the orders are stored,
        instead of computing the orders twice in one query. An incremental
        build's strategy keeps them up to date itself (replace_orders); its
        table already has them, and this does nothing.
    -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set stored = run_query('select count(*) from ' ~ this ~ ' where is_purchase_day').columns[0].values()[0] -%}
    {%- if stored == 0 -%}
        {#- Two statements, run here: Spark runs one per call. -#}
        {%- do run_query(insert_purchase_days(this)) -%}
        {%- do run_query(insert_purchase_totals(this)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro order_state_changes(lines_relation, state_relation, as_of_window, version) %}
    {#-
        What an incremental build of int_customer_order_state must redo, read
        at compile time so that its dates reach the Parquet scan as literals
        (which skips the row groups before them):
          changed_days  days whose lines differ from the stored day totals: a
                        count and a sum of line fingerprints per day, in one
                        pass over the lines
          earliest      the first date whose lines must be regrouped: the
                        earliest changed day, or the earliest date a moved
                        as_of_date moves an order across; none when nothing
                        changed
          first_line    the first line date of the orders to regroup (an
                        order with a late return starts weeks before it), so
                        every line of them is read
          everything    true when that is the first stored day: every order
                        is regrouped, as in a full build
    -#}
    {%- set days_sql -%}
        with

        current_days as (

            select
                order_date,
                count(*) as accepted_order_lines,
                sum({{ order_line_fingerprint(version) }}) as line_fingerprint
            from {{ lines_relation }}
            group by order_date

        ),

        stored_days as (

            select order_date, accepted_order_lines, line_fingerprint
            from {{ state_relation }}
            where is_day_total and not is_purchase_day

        )

        select coalesce(current_days.order_date, stored_days.order_date) as order_date
        from current_days
        full outer join stored_days on current_days.order_date = stored_days.order_date
        where coalesce(current_days.accepted_order_lines, 0) <> coalesce(stored_days.accepted_order_lines, 0)
            or coalesce(current_days.line_fingerprint, 0) <> coalesce(stored_days.line_fingerprint, 0)
        order by 1
    {%- endset -%}
    {%- set changed_days = run_query(days_sql).columns[0].values() | map('string') | list -%}

    {#- An order stored under another as_of_date with a line after the earlier of the two dates. -#}
    {%- set window_sql -%}
        select min(least(as_of_window, {{ as_of_window }}))
        from {{ state_relation }}
        where not is_day_total and not is_purchase_day
            and as_of_window <> {{ as_of_window }}
            and last_line_date > least(as_of_window, {{ as_of_window }})
    {%- endset -%}
    {%- set window_start = run_query(window_sql).columns[0].values()[0] -%}

    {%- set starts = [] -%}
    {%- if changed_days %}{% do starts.append(changed_days[0]) %}{% endif -%}
    {%- if window_start is not none %}{% do starts.append(window_start | string) %}{% endif -%}
    {%- if not starts -%}
        {{ return({'changed_days': [], 'earliest': none, 'first_line': none, 'everything': false}) }}
    {%- endif -%}
    {%- set earliest = starts | min -%}

    {%- set first_line_sql -%}
        with

        touched as (

            select distinct customer_key, {{ order_key('order_id') }} as order_key
            from {{ lines_relation }}
            where order_date >= {{ date_literal(earliest) }}

        )

        select min(state.first_line_date)
        from {{ state_relation }} as state
        left join touched
            on state.customer_key = touched.customer_key and state.order_key = touched.order_key
        where not state.is_day_total and not state.is_purchase_day
            and (state.last_line_date >= {{ date_literal(earliest) }} or touched.order_key is not null)
    {%- endset -%}
    {%- set first_line = run_query(first_line_sql).columns[0].values()[0] -%}
    {%- set first_line = [earliest, first_line | string] | min if first_line is not none else earliest -%}
    {%- set stored_start = run_query('select min(order_date) from ' ~ state_relation ~ ' where is_day_total').columns[0].values()[0] -%}
    {%- set everything = stored_start is none or first_line <= stored_start | string -%}
    {{ return({'changed_days': changed_days, 'earliest': earliest, 'first_line': first_line,
               'everything': everything}) }}
{%- endmacro %}


{% macro order_line_fingerprint(version) %}
    {#-
        The fingerprint of a line of int_order_lines_cleaned: `version` (a
        hash of the state model's aggregation, so a change to it changes every
        day) and everything of the line the state aggregates, so a line
        corrected in place (a status rewritten to cancelled, an amount
        changed), a line that became accepted or rejected (a customer who
        arrived or left, a var that changed), or a customer whose key moved
        changes its day.
    -#}
    {{ line_fingerprint([
        sql_string(version), 'customer_key', 'order_id', 'amount', 'quantity',
        'is_purchase_line', 'is_return_line', 'is_cancelled_line', 'has_set_aside_value',
    ]) }}
{%- endmacro %}
