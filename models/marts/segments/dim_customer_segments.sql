{#-
    One row per accepted customer: the segment of the primary method (var
    primary_method, default kmeans), its name, how far the customer sits from
    the segment's centre, and the customer's features in business units.
    Customers who are not clustered (with orders, those without a completed
    purchase) are the No Purchase Yet segment: no_purchase_segment_id(), no
    centre, no distance.
-#}

with

features as (

    select * from {{ ref('int_customer_features') }}

),

assignments as (

    select * from {{ ref('customer_cluster_assignments') }}
    where method = {{ sql_string(checked_var('primary_method')) }}

),

names as (

    select * from {{ ref('ml_segment_names') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

segments as (

    select
        features.customer_id,
        case
            when features.is_clustered then assignments.cluster_id
            else {{ no_purchase_segment_id() }}
        end as segment_id,
        case
            when features.is_clustered then assignments.method
            else 'no_purchase'
        end as segment_method
    from features
    left join assignments on features.customer_id = assignments.customer_id

)

select
    -- ids
    cast(features.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segments.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(segments.segment_method as {{ dbt.type_string() }}) as segment_method,
    cast(assignments.distance_to_centroid as double) as distance_to_centroid,

    -- behaviour
    cast(features.has_purchases as boolean) as has_purchases,
    cast(features.total_orders as integer) as total_orders,
    cast(features.cancelled_orders as integer) as cancelled_orders,
    cast(features.frequency as integer) as frequency,
    cast(round(features.monetary, 2) as double) as monetary,
    cast(round(features.gross_revenue, 2) as double) as gross_revenue,
    cast(round(features.refunded_amount, 2) as double) as refunded_amount,
    cast(round(features.avg_order_value, 2) as double) as avg_order_value,
    cast(features.recency_days as integer) as recency_days,
    cast(features.tenure_days as integer) as tenure_days,
    cast(round(features.purchase_cadence_days, 2) as double) as purchase_cadence_days,
    cast(round(features.return_rate, 6) as double) as return_rate,

    -- attributes
    cast(features.age as double) as age,
    cast(features.annual_income as double) as annual_income,
    cast(features.spending_score as double) as spending_score,
    cast(features.gender as {{ dbt.type_string() }}) as gender,
    cast(features.country as {{ dbt.type_string() }}) as country,

    -- dates
    cast(features.signup_date as date) as signup_date,
    cast(features.first_purchase_date as date) as first_purchase_date,
    cast(features.last_purchase_date as date) as last_purchase_date,
    cast(as_of.as_of_date as date) as as_of_date
from features
inner join segments on features.customer_id = segments.customer_id
left join assignments on features.customer_id = assignments.customer_id
left join names on segments.segment_id = names.segment_id
cross join as_of
