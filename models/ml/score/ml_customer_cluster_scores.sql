{#-
    Scoring in SQL: every customer assigned, for each centroid method
    (kmeans, hierarchical), to the nearest stored centroid (Euclidean distance
    in standardized units; ties go to the lower cluster_index), to the
    nearest k-prototype when categorical features are clustered on
    (ml_kprototypes_scores), and to the most likely component of the
    Gaussian mixture (ml_gmm_scores). The fit ran on a sample; this reaches
    every customer, and can score new customers without refitting. DBSCAN
    (ml_dbscan_models) assigns a customer to the cluster of the nearest
    representative whose ball is within eps of the customer, else to noise
    (cluster_index 0); distance_to_centroid is the distance to that
    representative (for noise, to the nearest one).

    The centroids are read from ml_cluster_centroids at compile time and
    written into the query, so each customer's distances are columns of one
    row: a cross join with the centroids and a grouped minimum took twice as
    long at 1M customers (18M distance rows grouped by a text id).
-#}
{%- set inputs = model_inputs() %}
{%- set centroids = stored_centroids() %}
{%- set methods = centroids | map(attribute='method') | unique | list %}
{#- Optional methods (var methods) are scored only when this build runs them. #}
{%- set dbscan = dbscan_representatives() if method_enabled('dbscan') else none %}

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
            {{ '+ ' if not loop.first }}{{ integer_power(input.name ~ ' - ' ~ float_literal(centroid['values'][loop.index0]), 2) }}
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

){% endfor %}{% if dbscan is not none and dbscan.representatives %},

dbscan_distances as (

    select
        customer_id
        {%- for rep in dbscan.representatives %},
        sqrt(
            {%- for input in inputs %}
            {{ '+ ' if not loop.first }}{{ integer_power(input.name ~ ' - ' ~ float_literal(rep['values'][loop.index0]), 2) }}
            {%- endfor %}
        ) as distance_{{ rep.index }}
        {%- endfor %}
    from customers

),

dbscan_reach as (

    -- A representative is in reach when the customer is at most eps from its
    -- ball; out of reach, its distance is replaced by a sentinel.
    select
        customer_id
        {%- for rep in dbscan.representatives %},
        distance_{{ rep.index }},
        case
            when distance_{{ rep.index }} - {{ float_literal(rep.radius) }} <= {{ float_literal(dbscan.eps) }}
                then distance_{{ rep.index }}
            else {{ float_literal(1e308) }}
        end as reach_{{ rep.index }}
        {%- endfor %}
    from dbscan_distances

),

dbscan_nearest as (

    select
        *,
        least(
            {%- for rep in dbscan.representatives %}
            {{ ', ' if not loop.first }}reach_{{ rep.index }}
            {%- endfor %}
        ) as nearest_reach,
        least(
            {%- for rep in dbscan.representatives %}
            {{ ', ' if not loop.first }}distance_{{ rep.index }}
            {%- endfor %}
        ) as nearest_distance
    from dbscan_reach

){% endif %}

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
    distance_to_centroid,
    cast(null as {{ type_double() }}) as membership_probability
from {{ method }}_nearest
{{ 'union all' if not loop.last or method_enabled('dbscan') or method_enabled('kprototypes') or method_enabled('gmm') }}
{% endfor %}
{%- if dbscan is not none %}
{%- if dbscan.representatives %}
select
    customer_id,
    'dbscan' as method,
    -- The nearest centre in reach wins (ties to the lower representative);
    -- none in reach is noise.
    case
        when nearest_reach >= {{ float_literal(1e308) }} then 0
        {%- for rep in dbscan.representatives %}
        when reach_{{ rep.index }} = nearest_reach then {{ rep.cluster }}
        {%- endfor %}
    end as cluster_index,
    case
        when nearest_reach >= {{ float_literal(1e308) }} then nearest_distance
        else nearest_reach
    end as distance_to_centroid,
    cast(null as {{ type_double() }}) as membership_probability
from dbscan_nearest
{%- else %}
-- DBSCAN found no cluster: everyone is noise, measured from the origin of the
-- model inputs (the population mean of every standardized numeric input).
select
    customer_id,
    'dbscan' as method,
    0 as cluster_index,
    sqrt(
        {%- for input in inputs %}
        {{ '+ ' if not loop.first }}{{ integer_power(input.name, 2) }}
        {%- endfor %}
    ) as distance_to_centroid,
    cast(null as {{ type_double() }}) as membership_probability
from customers
{%- endif %}
{{ 'union all' if method_enabled('kprototypes') or method_enabled('gmm') }}
{% endif %}
{%- if method_enabled('kprototypes') %}
-- k-prototypes (only when categorical features are clustered on).
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    cast(null as {{ type_double() }}) as membership_probability
from {{ ref('ml_kprototypes_scores') }}
{{ 'union all' if method_enabled('gmm') }}
{% endif %}
{%- if method_enabled('gmm') %}
-- The Gaussian mixture assigns by posterior probability, not distance.
select
    customer_id,
    method,
    cluster_index,
    distance_to_centroid,
    membership_probability
from {{ ref('ml_gmm_scores') }}
{%- endif %}
