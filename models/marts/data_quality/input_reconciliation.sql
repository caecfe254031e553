{#-
    One row per input: rows read from the source, rows accepted, rows
    quarantined, each counted where it ends up and apart from the others:
    rows read from the staging views (int_input_row_counts); accepted
    customers from the validated customers; accepted order lines as counted
    into the per-customer metrics (so a line lost between validation and
    features would show); quarantined rows from the rows set aside. The test rows_read =
    accepted + quarantined then checks that no row went missing on the way.
    Order lines lost to customer ids written differently in the two files
    are warned about from a small share on (var
    unmatched_order_lines_warn_share), with examples of both forms.
-#}
{%- if execute %}
    {{- warn_if_order_customer_ids_unmatched() }}
{%- endif %}

with

read_counts as (

    select source, rows_read, unreadable_lines from {{ ref('int_input_row_counts') }}

),

validated as (

    select
        'customers' as source,
        sum(case when rejection_reason is null then 1 else 0 end) as rows_accepted,
        sum(case when rejection_reason is not null then 1 else 0 end) as rows_quarantined,
        sum(case when rejection_reason is null and invalid_columns is not null then 1 else 0 end)
            as rows_with_quarantined_values
    from {{ ref('int_customers_validated') }}

    union all

    select
        'orders' as source,
        (select sum(accepted_order_lines) from {{ ref('int_customer_order_metrics') }}) as rows_accepted,
        sum(case when rejection_reason is not null then 1 else 0 end) as rows_quarantined,
        sum(case when rejection_reason is null and invalid_columns is not null then 1 else 0 end)
            as rows_with_quarantined_values
    from {{ ref('int_orders_with_issues') }}

)

select
    cast(read_counts.source as {{ dbt.type_string() }}) as source,
    cast(
        case read_counts.source
            when 'customers' then {{ sql_string(input_description('customers')) }}
            else {{ sql_string(input_description('orders') if input_relation('orders') is not none else '(no orders input)') }}
        end as {{ dbt.type_string() }}
    ) as source_file,
    cast(read_counts.rows_read as bigint) as rows_read,
    cast(coalesce(validated.rows_accepted, 0) as bigint) as rows_accepted,
    cast(coalesce(validated.rows_quarantined, 0) + read_counts.unreadable_lines as bigint)
        as rows_quarantined,
    cast(coalesce(validated.rows_with_quarantined_values, 0) as bigint) as rows_with_quarantined_values
from read_counts
left join validated on read_counts.source = validated.source
