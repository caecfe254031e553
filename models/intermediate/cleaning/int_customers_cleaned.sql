{{ config(materialized='view') }}

-- The accepted customers: exactly one row per customer_id. customer_key is
-- the accepted row's position in the input: unique, and a cheaper key than
-- the text id where 20M order lines are grouped by customer.
select
    customer_id,
    source_row_number as customer_key,
    signup_date,
    birth_date,
    age,
    annual_income,
    spending_score,
    gender,
    country,
    sample_key
from {{ ref('int_customers_validated') }}
where rejection_reason is null
