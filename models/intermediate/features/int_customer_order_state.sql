{#-
    The one pass over every accepted order line, kept between builds. Three
    kinds of row:
      an order of an accepted customer   int_customer_orders reads them
      a purchase day of a customer       (is_purchase_day) the day's purchase
                                         orders together: what the
                                         customer-value models count as one
                                         purchase (int_customer_purchase_days)
      a customer's purchase totals       (is_day_total and is_purchase_day)
                                         their purchase days summed: what the
                                         customer-value summary reads instead
                                         of every purchase day
                                         (int_customer_purchase_totals)
      a day that has lines               (is_day_total) how many, and the sum
                                         of their fingerprints: the change check

    Incremental on DuckDB (dbt_project.yml; elsewhere a table rebuilt every
    run). Before it builds, the model compares every day's lines with the
    stored day totals (macro order_state_changes, one pass over the lines)
    and regroups only the orders with a line on or after the earliest day
    that changed, reading the lines from that order's first line on. So new
    orders, late returns (a line dated the day it arrives, for an order weeks
    old), orders cancelled in place, customers who arrive after their orders,
    a changed var (cancel_statuses, ...) or a customer file whose rows moved
    (customer_key) each regroup what they touch, and a build never keeps a
    stale row: an order or day that went away is deleted (strategy
    replace_orders). A change to the aggregation below changes every line's
    fingerprint, so everything is regrouped.

    The purchase days and totals are not in this select: they are grouped
    from the stored orders once the orders are written, so the orders are
    computed once. On an incremental build the strategy rebuilds every
    purchase day a regrouped order is on or was on, from every order stored
    on it (regrouped or not: a line corrected on an order's second day
    changes a purchase day weeks before the change), then the totals of
    every customer with a rebuilt day, from all their stored days; on a full
    build a post-hook groups them all (macro add_purchase_days).

    Orders are windowed by var as_of_date as the build that wrote them saw it
    (as_of_window): lines after it count only in accepted_order_lines. An
    order that a moved date crosses is regrouped too.
      order_key            the order id as an integer (macro order_key); on a
                           day's and a purchase day's row, the day's number
      first_line_date, last_line_date  its earliest and latest line, any date
      order_date           its first line's date in the window (null when
                           every line is after as_of_date)
      has_purchase, has_return, has_uncancelled_line  1 or 0, in the window
      purchase_amount      sum of its purchase lines in the window
      refunded_amount      money paid back on its return lines in the window
      purchase_days, first_day_value  on a customer's purchase totals only:
                           how many purchase days, and the first one's value
-#}
{%- set as_of = checked_var('as_of_date') %}
{#- No var: every accepted line is in the window, as if the date were the last day there is. -#}
{%- set as_of_window = date_literal(as_of if as_of else '9999-12-31') %}

{%- set order_columns -%}
        cast(count(*) as {{ dbt.type_bigint() }}) as accepted_order_lines,
        cast(sum(case when has_set_aside_value then 1 else 0 end) as {{ dbt.type_bigint() }}) as lines_with_set_aside_values,
        min(order_date) as first_line_date,
        max(order_date) as last_line_date,
        min({{ in_as_of_window('order_date') }}) as order_date,
        max({{ in_as_of_window('case when is_purchase_line then 1 else 0 end', '0') }}) as has_purchase,
        max({{ in_as_of_window('case when is_return_line then 1 else 0 end', '0') }}) as has_return,
        max({{ in_as_of_window('case when is_cancelled_line then 0 else 1 end', '0') }}) as has_uncancelled_line,
        sum({{ in_as_of_window('case when is_purchase_line then amount else 0 end', '0') }}) as purchase_amount,
        sum({{ in_as_of_window('case when is_return_line and amount < 0 then -amount else 0 end', '0') }}) as refunded_amount,
        sum({{ in_as_of_window('case when is_purchase_line then quantity else 0 end', '0') }}) as units
{%- endset -%}
{#- The order columns of a row that is not an order (a day's totals, a row
    saying something went away). -#}
{%- set no_measures -%}
0 as has_purchase, 0 as has_return, 0 as has_uncancelled_line,
        cast(0 as {{ type_double() }}) as purchase_amount,
        cast(0 as {{ type_double() }}) as refunded_amount,
        cast(0 as {{ type_double() }}) as units
{%- endset -%}
{#- The columns only a customer's purchase totals fill. -#}
{%- set no_purchase_totals -%}
cast(null as {{ dbt.type_bigint() }}) as purchase_days,
        cast(null as {{ type_double() }}) as first_day_value
{%- endset -%}
{#- What the stored rows were computed by, part of every line's fingerprint:
    this file as written (not as rendered: vars such as as_of_date change the
    text every day). Any edit to it regroups everything once. -#}
{%- set version = local_md5(model.raw_code)[:16] -%}

{#- The row saying a stored row went away (no line: not kept). -#}
{%- set gone_columns -%}
        stored.is_day_total,
        stored.is_purchase_day,
        stored.customer_key,
        stored.order_key,
        cast(0 as {{ dbt.type_bigint() }}) as accepted_order_lines,
        cast(0 as {{ dbt.type_bigint() }}) as lines_with_set_aside_values,
        stored.first_line_date,
        stored.last_line_date,
        stored.order_date,
        {{ no_measures }},
        cast(0 as {{ dbt.type_bigint() }}) as line_fingerprint,
        {{ as_of_window }} as as_of_window,
        {{ no_purchase_totals }}
{%- endset -%}

{%- set changes = none -%}
{%- set regroup_everything = false -%}
{%- if execute and is_incremental() -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'is_purchase_day' not in stored_columns or 'purchase_days' not in stored_columns -%}
        {#- Stored by a version without purchase days or totals: every line's
            fingerprint differs anyway, and the change check reads the new columns. -#}
        {{ log(this.identifier ~ ': stored without purchase days or totals; regrouping every order', info=True) }}
        {%- set regroup_everything = true -%}
    {%- else -%}
        {%- set changes = order_state_changes(ref('int_order_lines_cleaned'), this, as_of_window, version) -%}
    {%- endif -%}
    {%- if changes is none -%}
    {%- elif changes.earliest is none -%}
        {{ log(this.identifier ~ ': no order line changed since the last build', info=True) }}
    {%- elif changes.everything -%}
        {{ log(this.identifier ~ ': the lines of ' ~ changes.changed_days | length ~ ' day(s) changed since the last build,'
            ~ ' back to its first day; regrouping every order', info=True) }}
        {#- Cheaper as a full build: the strategy empties the table first. -#}
        {%- set changes = none -%}
        {%- set regroup_everything = true -%}
    {%- else -%}
        {{ log(this.identifier ~ ': the lines of ' ~ changes.changed_days | length ~ ' day(s) changed since the last build;'
            ~ ' regrouping the orders with a line on or after ' ~ changes.earliest
            ~ ' (reading lines from ' ~ changes.first_line ~ ')', info=True) }}
    {%- endif -%}
{%- endif %}

with

order_lines as (

    select
        *,
        {{ order_key('order_id') }} as order_key,
        {{ order_line_fingerprint(version) }} as line_fingerprint
    from {{ ref('int_order_lines_cleaned') }}
    {%- if changes is not none %}
    -- A literal: on a Parquet export in date order the scan skips the row
    -- groups before it.
    where {{ 'order_date >= ' ~ date_literal(changes.first_line) if changes.earliest is not none else '1 = 0' }}
    {%- endif %}

),

{%- if changes is not none %}

stored_orders as (

    select customer_key, order_key, last_line_date
    from {{ this }}
    where not is_day_total and not is_purchase_day

),

-- Every order with a line on or after the earliest change, before or now.
orders_to_regroup as (

    select customer_key, order_key
    from order_lines
    where order_date >= {{ date_literal(changes.earliest) if changes.earliest is not none else 'null' }}
    union
    select customer_key, order_key
    from stored_orders
    where last_line_date >= {{ date_literal(changes.earliest) if changes.earliest is not none else 'null' }}

),

lines_to_group as (

    select order_lines.*
    from order_lines
    inner join orders_to_regroup
        on order_lines.customer_key = orders_to_regroup.customer_key
        and order_lines.order_key = orders_to_regroup.order_key

),

{%- else %}

lines_to_group as (

    select * from order_lines

),

{%- endif %}

orders as (

    select
        false as is_day_total,
        false as is_purchase_day,
        customer_key,
        order_key,
        {{ order_columns }},
        cast(null as {{ dbt.type_bigint() }}) as line_fingerprint,
        {{ as_of_window }} as as_of_window,
        {{ no_purchase_totals }}
    from lines_to_group
    group by customer_key, order_key

),

days as (

    select
        true as is_day_total,
        false as is_purchase_day,
        cast(0 as {{ dbt.type_bigint() }}) as customer_key,
        -- The day as a number: the key a day's row is replaced by.
        cast({{ dbt.datediff("cast('1970-01-01' as date)", 'order_date', 'day') }} as {{ dbt.type_bigint() }}) as order_key,
        count(*) as accepted_order_lines,
        cast(0 as {{ dbt.type_bigint() }}) as lines_with_set_aside_values,
        order_date as first_line_date,
        order_date as last_line_date,
        order_date,
        {{ no_measures }},
        cast(sum(line_fingerprint) as {{ dbt.type_bigint() }}) as line_fingerprint,
        {{ as_of_window }} as as_of_window,
        {{ no_purchase_totals }}
    from order_lines
    {%- if changes is not none %}
    where order_date >= {{ date_literal(changes.earliest) if changes.earliest is not none else 'null' }}
    {%- endif %}
    group by order_date

)

{%- if changes is not none and changes.earliest is not none %},

-- What went away: a regrouped order or a changed day with no line left.
-- Zero lines: the strategy deletes its stored row and keeps nothing (and
-- rebuilds the order's purchase day).
gone as (

    select
        {{ gone_columns }}
    from {{ this }} as stored
    where not stored.is_purchase_day
        and stored.last_line_date >= {{ date_literal(changes.earliest) }}
        and not exists (
            select 1 from orders
            where not stored.is_day_total
                and orders.customer_key = stored.customer_key
                and orders.order_key = stored.order_key
        )
        and not exists (
            select 1 from days
            where stored.is_day_total and days.order_key = stored.order_key
        )

)

select * from orders
union all
select * from days
union all
select * from gone
{%- else %}

select * from orders
union all
select * from days
{%- if regroup_everything %}
union all
-- Tells the strategy to empty the stored table before it inserts (no line: not kept).
select
    true as is_day_total,
    false as is_purchase_day,
    cast(-1 as {{ dbt.type_bigint() }}) as customer_key,
    cast(-1 as {{ dbt.type_bigint() }}) as order_key,
    cast(0 as {{ dbt.type_bigint() }}) as accepted_order_lines,
    cast(0 as {{ dbt.type_bigint() }}) as lines_with_set_aside_values,
    cast(null as date) as first_line_date,
    cast(null as date) as last_line_date,
    cast(null as date) as order_date,
    {{ no_measures }},
    cast(0 as {{ dbt.type_bigint() }}) as line_fingerprint,
    {{ as_of_window }} as as_of_window,
    {{ no_purchase_totals }}
{%- endif %}
{%- endif %}
