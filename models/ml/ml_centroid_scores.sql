{#-
    Every customer scored in SQL against the stored centroids of the centroid
    methods (kmeans, hierarchical): the nearest centroid by Euclidean distance
    in standardized units, ties to the lower cluster_index. The fit ran on a
    sample; this reaches every customer, and can score new customers without
    refitting.

    The centroids are read from ml_cluster_centroids at compile time and
    written into the query, so each customer's distances are columns of one
    row: a cross join with the centroids and a grouped minimum took twice as
    long at 1M customers (18M distance rows grouped by a text id).
-#}
{%- set inputs = model_inputs() %}
{%- set centroids = stored_centroids() %}
{%- set methods = centroids | map(attribute='method') | unique | list %}

with

customers as (

    select * from {{ ref('ml_customer_features_scaled') }}

){% for method in methods %},

{{ method }}_distances as (

    select
        customer_id
        {%- for centroid in centroids if centroid.method == method %},
        sqrt(
            {%- for input in inputs %}
            {{ '+ ' if not loop.first }}power({{ input.name }} - {{ float_literal(centroid['values'][loop.index0]) }}, 2)
            {%- endfor %}
        ) as distance_{{ centroid.index }}
        {%- endfor %}
    from customers

),

{{ method }}_nearest as (

    select
        *,
        least(
            {%- for centroid in centroids if centroid.method == method %}
            {{ ', ' if not loop.first }}distance_{{ centroid.index }}
            {%- endfor %}
        ) as distance_to_centroid
    from {{ method }}_distances

){% endfor %}

{% for method in methods %}
select
    customer_id,
    '{{ method }}' as method,
    -- Centroids are listed by index, so a tie goes to the lower one.
    case
        {%- for centroid in centroids if centroid.method == method %}
        when distance_{{ centroid.index }} = distance_to_centroid then {{ centroid.index }}
        {%- endfor %}
    end as cluster_index,
    distance_to_centroid
from {{ method }}_nearest
{{ 'union all' if not loop.last }}
{% else %}
-- Parsing: an empty relation with the same columns.
select
    customer_id,
    cast(null as {{ dbt.type_string() }}) as method,
    cast(null as integer) as cluster_index,
    cast(null as {{ dbt.type_float() }}) as distance_to_centroid
from customers
where 1 = 0
{% endfor %}
