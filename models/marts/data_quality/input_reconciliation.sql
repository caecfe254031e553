{#-
    One row per input: rows read from the source, rows accepted, rows
    quarantined. Read straight from the staging views, independently of the
    validation models, so the test rows_read = accepted + quarantined checks
    that no row went missing on the way.
-#}

with

read_counts as (

    select 'customers' as source, count(*) as rows_read
    from {{ ref('stg_input__customers') }}

    union all

    select 'orders' as source, count(*) as rows_read
    from {{ ref('stg_input__orders') }}

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
        sum(case when rejection_reason is null then 1 else 0 end) as rows_accepted,
        sum(case when rejection_reason is not null then 1 else 0 end) as rows_quarantined,
        sum(case when rejection_reason is null and invalid_columns is not null then 1 else 0 end)
            as rows_with_quarantined_values
    from {{ ref('int_orders_validated') }}

)

select
    cast(read_counts.source as {{ dbt.type_string() }}) as source,
    cast(
        case read_counts.source
            when 'customers' then '{{ input_description("customers") }}'
            else '{{ input_description("orders") if input_relation("orders") is not none else "(no orders input)" }}'
        end as {{ dbt.type_string() }}
    ) as source_file,
    cast(read_counts.rows_read as bigint) as rows_read,
    cast(coalesce(validated.rows_accepted, 0) as bigint) as rows_accepted,
    cast(coalesce(validated.rows_quarantined, 0) as bigint) as rows_quarantined,
    cast(coalesce(validated.rows_with_quarantined_values, 0) as bigint) as rows_with_quarantined_values
from read_counts
left join validated on read_counts.source = validated.source
