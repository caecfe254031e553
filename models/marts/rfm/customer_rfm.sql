{#-
    The marketer's standard RFM segmentation, one row per accepted customer:
    the scores and named segment of int_customer_rfm_scores (1-5, 5 best,
    ranked among buyers; 0 and 'No Purchase Yet' without a purchase; 'New
    Customers' by first purchase date; else the editable seed
    rfm_segment_map) beside the customer's cluster segment, so RFM and
    clusters can be read together.
-#}
with

customers as (

    select * from {{ ref('dim_customer_segments') }}

),

rfm as (

    select * from {{ ref('int_customer_rfm_scores') }}

)

select
    cast(customers.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(rfm.recency_score as integer) as recency_score,
    cast(rfm.frequency_score as integer) as frequency_score,
    cast(rfm.monetary_score as integer) as monetary_score,
    cast(rfm.fm_score as integer) as fm_score,
    cast(rfm.rfm_cell as {{ dbt.type_string() }}) as rfm_cell,
    cast(rfm.rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
    cast(rfm.rfm_segment_description as {{ dbt.type_string() }}) as rfm_segment_description,
    cast(customers.has_purchases as boolean) as has_purchases,
    cast(customers.recency_days as integer) as recency_days,
    cast(customers.frequency as integer) as frequency,
    cast(customers.monetary as double) as monetary,
    cast(customers.segment_id as integer) as segment_id,
    cast(customers.segment_name as {{ dbt.type_string() }}) as segment_name
from customers
inner join rfm on customers.customer_id = rfm.customer_id
