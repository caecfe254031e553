-- The host's order lines, one row per line, with its own column names.
select
    order_id,
    customer_id as customer_number,
    order_date,
    amount,
    category,
    status,
    quantity
from {{ ref('crm_order_lines') }}
