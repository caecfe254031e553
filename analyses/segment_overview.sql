-- Questions an analyst asks first, answered from the public marts.
-- Compile with `dbt compile -s segment_overview` and paste into any SQL client.

-- 1. Which segments matter most, and what sets them apart?
select
    segment_id,
    segment_name,
    customers,
    round(100 * customer_share, 1) as pct_customers,
    round(100 * revenue_share, 1) as pct_revenue,
    top_drivers,
    segment_description
from {{ ref('segment_profiles') }}
order by segment_id
