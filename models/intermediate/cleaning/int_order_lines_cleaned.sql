{{ config(materialized='view') }}

{#-
    The accepted order lines, each classified once:
      cancelled  a status in var cancel_statuses: the order never became a
                 purchase, so the line is neither revenue nor a return,
                 whatever its amount;
      return     otherwise, a negative amount or a status in var
                 return_statuses: goods of a purchase came back;
      purchase   otherwise, a positive amount.
    A zero amount that is neither cancelled nor returned is none of them.
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
    {{ status_in('cancel_statuses') }} as is_cancelled_line,
    (
        not {{ status_in('cancel_statuses') }}
        and (amount < 0 or {{ status_in('return_statuses') }})
    ) as is_return_line,
    (
        not {{ status_in('cancel_statuses') }}
        and amount > 0
        and not {{ status_in('return_statuses') }}
    ) as is_purchase_line,
    -- Accepted, but with a value that did not parse (quantity): counted per
    -- customer so int_orders_with_issues knows whether it must look for them.
    (invalid_columns is not null) as has_set_aside_value,
    -- The line's place in its file: the grain (a view; unread columns cost nothing).
    source_file,
    source_row_number
from {{ ref('int_orders_validated') }}
where rejection_reason is null
