{#-
    Scoring in SQL: every customer assigned, for each method, to the nearest
    stored centroid (Euclidean distance in standardized units; ties go to the
    lower cluster_index). The fit ran on a sample; this reaches every customer,
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

)

{{ nearest_centroid('distances') }}
