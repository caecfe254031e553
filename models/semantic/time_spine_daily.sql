{#-
    MetricFlow's daily time spine: one row per day from the first accepted
    order (or, without orders, as_of_date) to as_of_date, the days the order
    metrics can fall on. Monthly and yearly grains are derived from it.
    dbt.date_spine's end is exclusive, hence the day after as_of_date.
-#}
{%- set first_day -%}
    (select coalesce(earliest_order_date, as_of_date) from {{ ref('int_as_of_date') }})
{%- endset -%}
{%- set day_after_as_of_date -%}
    (select {{ dbt.dateadd('day', 1, 'as_of_date') }} from {{ ref('int_as_of_date') }})
{%- endset -%}

with

days as (

    {{ dbt.date_spine('day', first_day, day_after_as_of_date) }}

)

select cast(date_day as date) as date_day
from days
