{#-
    The single date every recency and tenure is measured from: var as_of_date,
    or else the latest accepted order date, or else (no orders at all) the
    latest signup date. Never today, so a rerun gives the same answer.
    The order dates come from the per-customer metrics (1 row per customer),
    not from a second pass over every order line.
-#}

with

order_metrics as (

    select first_order_date, last_order_date from {{ ref('int_customer_order_metrics') }}

),

customers as (

    select signup_date from {{ ref('int_customers_cleaned') }}

),

bounds as (

    select
        (select max(last_order_date) from order_metrics) as latest_order_date,
        (select min(first_order_date) from order_metrics) as earliest_order_date,
        (select max(signup_date) from customers) as latest_signup_date

)

select
    coalesce(
        {{ "cast('" ~ var('as_of_date') ~ "' as date)" if var('as_of_date') else 'cast(null as date)' }},
        latest_order_date,
        latest_signup_date
    ) as as_of_date,
    {{ "'var as_of_date'" if var('as_of_date') else "case when latest_order_date is not null then 'latest order date' else 'latest signup date' end" }} as as_of_date_source,
    earliest_order_date
from bounds
