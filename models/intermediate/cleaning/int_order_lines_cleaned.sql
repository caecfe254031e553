{{ config(materialized='view') }}

{#-
    The accepted order lines, each classified once: a return line is a
    negative amount or a return status (var return_statuses); anything else
    with a positive amount is a purchase.
-#}
select
    order_id,
    customer_id,
    customer_key,
    order_date,
    amount,
    coalesce(quantity, 1) as quantity,
    category,
    status,
    (amount < 0 or status in {{ sql_string_list(var('return_statuses')) }}) as is_return_line,
    (amount > 0 and status not in {{ sql_string_list(var('return_statuses')) }}) as is_purchase_line,
    -- Accepted, but with a value that did not parse (quantity): counted per
    -- customer so int_orders_with_issues knows whether it must look for them.
    (invalid_columns is not null) as has_set_aside_value
from {{ ref('int_orders_validated') }}
where rejection_reason is null
