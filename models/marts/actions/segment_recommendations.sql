{#-
    What to do with each segment of the primary method: one row per segment
    with its archetype (ml_segment_archetypes: which rule of the seed
    segment_archetype_rules matched), the action, channel, offer type and
    priority from the playbook seed segment_playbook, and value figures to
    size the action: customers, revenue, revenue per customer and per
    customer-month of tenure (historical net revenue up to as_of_date).
-#}

with

customers as (

    select * from {{ ref('dim_customer_segments') }}

),

archetypes as (

    select * from {{ ref('ml_segment_archetypes') }}

),

playbook as (

    select * from {{ ref('segment_playbook') }}

),

value_per_segment as (

    select
        segment_id,
        count(*) as customers,
        sum(monetary) as revenue,
        -- A month is 365.25 / 12 days; a customer who joined on as_of_date
        -- counts as one day so new segments do not divide by zero.
        sum(case when tenure_days > 0 then tenure_days else 1 end) / (365.25 / 12)
            as customer_months
    from customers
    group by segment_id

)

select
    cast(value_per_segment.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(archetypes.archetype as {{ dbt.type_string() }}) as archetype,
    cast(archetypes.matched_rule as {{ dbt.type_string() }}) as matched_rule,
    cast(playbook.action as {{ dbt.type_string() }}) as action,
    cast(playbook.channel as {{ dbt.type_string() }}) as channel,
    cast(playbook.offer_type as {{ dbt.type_string() }}) as offer_type,
    cast(playbook.action_priority as {{ dbt.type_string() }}) as action_priority,
    cast(value_per_segment.customers as integer) as customers,
    cast(round(value_per_segment.revenue, 2) as double) as revenue,
    cast(round(value_per_segment.revenue / value_per_segment.customers, 2) as double)
        as revenue_per_customer,
    cast(round(value_per_segment.revenue / value_per_segment.customer_months, 4) as double)
        as revenue_per_customer_month
from value_per_segment
inner join {{ ref('ml_segment_names') }} as names
    on value_per_segment.segment_id = names.segment_id
inner join archetypes on value_per_segment.segment_id = archetypes.segment_id
left join playbook on archetypes.archetype = playbook.archetype
