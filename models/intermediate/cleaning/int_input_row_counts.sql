{#-
    Rows read from each input, counted once: input_reconciliation reports
    them, and int_orders_with_issues compares the orders count with the
    accepted lines to know whether any row needs quarantining. Free for
    Parquet (the count is in the file's metadata); one pass over a CSV file.
    A line the CSV reader could not read (stg_input__unreadable_lines) was
    read too: it counts here and is quarantined.
-#}

with

unreadable as (

    select source, count(*) as lines
    from {{ ref('stg_input__unreadable_lines') }}
    group by source

),

staged as (

    select
        cast('customers' as {{ dbt.type_string() }}) as source,
        cast(count(*) as bigint) as rows_staged
    from {{ ref('stg_input__customers') }}

    union all

    select
        cast('orders' as {{ dbt.type_string() }}) as source,
        cast(count(*) as bigint) as rows_staged
    from {{ ref('stg_input__orders') }}

)

select
    staged.source,
    cast(staged.rows_staged + coalesce(unreadable.lines, 0) as bigint) as rows_read,
    cast(coalesce(unreadable.lines, 0) as bigint) as unreadable_lines
from staged
left join unreadable on staged.source = unreadable.source
