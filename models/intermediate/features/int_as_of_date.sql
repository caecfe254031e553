{#-
    The single date every recency and tenure is measured from: var as_of_date,
    or else the latest accepted order date, or else (no orders at all) the
    latest signup date. Never today when the input has a date, so a rerun
    gives the same answer; an input without any date (attributes only, where
    no feature depends on the date) is as of the day it is built, which also
    identifies its run in the history (pass var as_of_date to choose it).
    The order dates come from the orders kept in the order state (only
    accepted customers' orders are there), not from a pass over every order
    line, nor from the per-customer metrics: this model gates the value
    summary, which then runs beside the metrics instead of after them.
    Every fit starts downstream of this model, so it is where an orders file
    with no accepted row stops the build (raise_if_every_order_rejected).
-#}
-- Read by that check:
-- depends_on: {{ ref('int_input_row_counts') }}
-- depends_on: {{ ref('int_orders_validated') }}
{%- if execute %}
    {{- raise_if_every_order_rejected() }}
{%- endif %}

with

orders as (

    select order_date from {{ ref('int_customer_orders') }}

),

customers as (

    select signup_date from {{ ref('int_customers_cleaned') }}

),

bounds as (

    select
        (select max(order_date) from orders) as latest_order_date,
        (select min(order_date) from orders) as earliest_order_date,
        (select max(signup_date) from customers) as latest_signup_date

)

select
    coalesce(
        {{ date_literal(checked_var('as_of_date')) if checked_var('as_of_date') else 'cast(null as date)' }},
        latest_order_date,
        latest_signup_date,
        -- An input with no date at all (a CRM snapshot of attributes): no
        -- feature depends on the date, and the snapshot is as of its build.
        {{ machine_today() }}
    ) as as_of_date,
    {{ "'var as_of_date'" if checked_var('as_of_date') else "case when latest_order_date is not null then 'latest order date' when latest_signup_date is not null then 'latest signup date' else 'build date (no dates in the input)' end" }} as as_of_date_source,
    earliest_order_date
from bounds
