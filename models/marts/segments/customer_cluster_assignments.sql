-- One row per customer and clustering method: the cluster the customer is scored into.

with

scores as (

    select * from {{ ref('ml_customer_cluster_scores') }}

),

numbering as (

    select * from {{ ref('ml_cluster_numbering') }}

)

select
    cast(scores.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(scores.method as {{ dbt.type_string() }}) as method,
    cast(numbering.cluster_id as integer) as cluster_id,
    cast(round(scores.distance_to_centroid, 9) as double) as distance_to_centroid,
    cast(round(scores.membership_probability, 9) as double) as membership_probability
from scores
inner join numbering
    on scores.method = numbering.method
    and scores.cluster_index = numbering.cluster_index
