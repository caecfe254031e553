{#-
    Cross-sell list: for each customer, the categories their segment buys
    most that they have not bought yet, up to var('cross_sell_recommendations')
    (default 3) per customer. The segment's categories are ranked by
    penetration (share of its customers who bought the category), and only
    categories at least var('cross_sell_min_penetration') (default 0.05) of
    the segment bought are offered. A customer who already buys all of them
    gets no row, nor does a customer in DBSCAN's noise (segment 0).
-#}
{#- `is sameas true`: a cross_sell that is not a boolean reaches validate_vars, which names it. -#}
{{ config(enabled=var('cross_sell') is sameas true) }}
{%- set recommendations = checked_var('cross_sell_recommendations') %}
{%- set min_penetration = checked_var('cross_sell_min_penetration') %}

with

customers as (

    select
        customers.customer_id,
        customers.customer_key,
        assignments.segment_id
    from {{ ref('ml_primary_segment_assignments') }} as assignments
    inner join {{ ref('int_customers_cleaned') }} as customers
        on assignments.customer_id = customers.customer_id
    -- DBSCAN's noise (segment 0) is no group whose habits say what to offer.
    where assignments.segment_id > 0

),

segment_categories as (

    select
        segment_id,
        category,
        penetration,
        penetration_lift,
        row_number() over (
            partition by segment_id order by penetration desc, category
        ) as segment_rank
    from {{ ref('segment_category_affinity') }}
    where buyers > 0 and penetration >= {{ min_penetration }}

),

candidates as (

    select
        customers.customer_id,
        customers.customer_key,
        customers.segment_id,
        segment_categories.category,
        segment_categories.penetration,
        segment_categories.penetration_lift,
        segment_categories.segment_rank
    from customers
    inner join segment_categories on customers.segment_id = segment_categories.segment_id

),

not_bought as (

    select candidates.*
    from candidates
    left join {{ ref('int_customer_category_purchases') }} as purchases
        on candidates.customer_key = purchases.customer_key
        and candidates.category = purchases.category
    where purchases.customer_key is null

),

ranked as (

    select
        *,
        row_number() over (partition by customer_id order by segment_rank) as recommendation_rank
    from not_bought

)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(recommendation_rank as integer) as recommendation_rank,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(segment_id as integer) as segment_id,
    cast(round(penetration, 6) as double) as segment_penetration,
    cast(round(penetration_lift, 6) as double) as penetration_lift
from ranked
where recommendation_rank <= {{ recommendations }}
