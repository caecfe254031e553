{#-
    Scoring in SQL: every customer assigned, for each centroid method
    (kmeans, hierarchical), to the nearest stored centroid (Euclidean distance
    in standardized units; ties go to the lower cluster_index), to the
    nearest k-prototype when categorical features are clustered on
    (ml_kprototypes_scores), and to the most likely component of the
    Gaussian mixture (ml_gmm_scores). The fit ran on a sample; this reaches every customer,
    and can score new customers without refitting.
-#}
{%- set inputs = model_inputs() %}

with

customers as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

centroids as (

    select * from {{ ref('ml_cluster_centroids') }}

),

distances as (

    select
        customers.customer_id,
        centroids.method,
        centroids.cluster_index,
        sqrt(
            {%- for input in inputs %}
            {{ '+ ' if not loop.first }}power(customers.{{ input.name }} - centroids.{{ input.name }}, 2)
            {%- endfor %}
        ) as distance_to_centroid
    from customers
    cross join centroids

),

centroid_scores as (

    {{ nearest_centroid('distances') | indent(4) }}

)

select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ dbt.type_float() }}) as membership_probability
from centroid_scores

union all

-- k-prototypes (only when categorical features are clustered on).
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ dbt.type_float() }}) as membership_probability
from {{ ref('ml_kprototypes_scores') }}

union all

-- The Gaussian mixture assigns by posterior probability, not distance.
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    membership_probability
from {{ ref('ml_gmm_scores') }}
