{#-
    What each segment buys, against everyone: one row per (segment, product
    category) that anyone bought. Two views of affinity:
      revenue share   category revenue / all category revenue of the segment,
                      and its lift over the same share among all customers;
      penetration     share of the segment's customers who bought the
                      category, and its lift over all customers.
    A lift above 1 means the segment leans to the category; affinity_rank
    orders each segment's categories by revenue lift (highest first). A
    segment without purchase revenue has no rows.
-#}
{#- `is sameas true`: a cross_sell that is not a boolean reaches validate_vars, which names it. -#}
{{ config(enabled=var('cross_sell') is sameas true) }}

with

purchases as (

    select * from {{ ref('int_customer_category_purchases') }}

),

segments as (

    select
        customers.customer_key,
        assignments.segment_id
    from {{ ref('ml_primary_segment_assignments') }} as assignments
    inner join {{ ref('int_customers_cleaned') }} as customers
        on assignments.customer_id = customers.customer_id

),

segment_sizes as (

    select segment_id, count(*) as segment_customers
    from segments
    group by segment_id

),

by_segment as (

    select
        segments.segment_id,
        purchases.category,
        count(*) as buyers,
        sum(purchases.purchase_revenue) as revenue
    from purchases
    inner join segments on purchases.customer_key = segments.customer_key
    group by segments.segment_id, purchases.category

),

-- Every category against every segment, so a category a segment never buys
-- shows as 0 rather than missing.
grid as (

    select
        segment_sizes.segment_id,
        segment_sizes.segment_customers,
        categories.category
    from segment_sizes
    cross join (select distinct category from by_segment) as categories

),

filled as (

    select
        grid.segment_id,
        grid.segment_customers,
        grid.category,
        coalesce(by_segment.buyers, 0) as buyers,
        coalesce(by_segment.revenue, 0) as revenue
    from grid
    left join by_segment
        on grid.segment_id = by_segment.segment_id
        and grid.category = by_segment.category

),

with_totals as (

    select
        *,
        sum(revenue) over (partition by segment_id) as segment_revenue,
        sum(revenue) over (partition by category) as category_revenue,
        sum(buyers) over (partition by category) as category_buyers,
        sum(revenue) over () as total_revenue,
        (select sum(segment_customers) from segment_sizes) as total_customers
    from filled

),

shares as (

    select
        *,
        case when segment_revenue > 0 then revenue / segment_revenue end as revenue_share,
        category_revenue / total_revenue as overall_revenue_share,
        cast(buyers as {{ type_double() }}) / segment_customers as penetration,
        cast(category_buyers as {{ type_double() }}) / total_customers as overall_penetration
    from with_totals

)

select
    cast(shares.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(shares.category as {{ dbt.type_string() }}) as category,
    cast(shares.segment_customers as integer) as segment_customers,
    cast(shares.buyers as integer) as buyers,
    cast(round(shares.penetration, 6) as double) as penetration,
    cast(round(shares.overall_penetration, 6) as double) as overall_penetration,
    cast(round(shares.penetration / shares.overall_penetration, 6) as double) as penetration_lift,
    cast(round(shares.revenue, 2) as double) as revenue,
    cast(round(shares.revenue_share, 6) as double) as revenue_share,
    cast(round(shares.overall_revenue_share, 6) as double) as overall_revenue_share,
    cast(round(shares.revenue_share / shares.overall_revenue_share, 6) as double) as revenue_lift,
    cast(row_number() over (
        partition by shares.segment_id
        order by shares.revenue_share / shares.overall_revenue_share desc, shares.category
    ) as integer) as affinity_rank
from shares
inner join {{ ref('ml_segment_names') }} as names
    on shares.segment_id = names.segment_id
-- A segment that bought nothing (only returns, or no orders) has no affinity.
where shares.segment_revenue > 0
