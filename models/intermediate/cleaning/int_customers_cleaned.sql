{{ config(materialized='view') }}

-- The accepted customers: exactly one row per customer_id.
select
    customer_id,
    signup_date,
    birth_date,
    age,
    annual_income,
    spending_score,
    gender,
    country
from {{ ref('int_customers_validated') }}
where rejection_reason is null
