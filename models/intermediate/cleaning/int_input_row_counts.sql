{#-
    Rows read from each input, counted once: input_reconciliation reports
    them, and int_orders_with_issues compares the orders count with the
    accepted lines to know whether any row needs quarantining. Free for
    Parquet (the count is in the file's metadata); one pass over a CSV file.
-#}

select
    cast('customers' as {{ dbt.type_string() }}) as source,
    cast(count(*) as bigint) as rows_read
from {{ ref('stg_input__customers') }}

union all

select
    cast('orders' as {{ dbt.type_string() }}) as source,
    cast(count(*) as bigint) as rows_read
from {{ ref('stg_input__orders') }}
