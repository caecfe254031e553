{#-
    RFM segments against clusters: one row per (segment, RFM segment) that
    has customers, with the count and its share of the segment and of the RFM
    segment. Pivot it in BI for the familiar grid.
-#}

with

customers as (

    select * from {{ ref('customer_rfm') }}

),

cells as (

    select
        segment_id,
        segment_name,
        rfm_segment,
        count(*) as customers,
        sum(monetary) as revenue
    from customers
    group by segment_id, segment_name, rfm_segment

)

select
    cast(segment_id as integer) as segment_id,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
    cast(customers as integer) as customers,
    cast(round(revenue, 6) as double) as revenue,
    cast(round(1.0 * customers / sum(customers) over (partition by segment_id), 6) as double)
        as share_of_segment,
    cast(round(1.0 * customers / sum(customers) over (partition by rfm_segment), 6) as double)
        as share_of_rfm_segment
from cells
