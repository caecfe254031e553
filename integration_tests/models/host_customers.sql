-- The host's customers as its other models use them: its own column names.
select
    customer_id as customer_number,
    signup_date,
    age,
    gender,
    country
from {{ ref('crm_customer_export') }}
