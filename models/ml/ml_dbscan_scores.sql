{#-
    Every customer assigned in SQL to a DBSCAN cluster from the representatives
    stored in ml_dbscan_models (read at compile time): the cluster whose
    representative ball is nearest (distance to the centre minus its radius),
    when that gap is at most eps; otherwise noise, cluster_index 0.
    distance_to_centroid is the distance to the nearest representative. When
    DBSCAN found no cluster, everyone is noise, measured from the origin of the
    standardized features (the population mean).
-#}
{%- set inputs = model_inputs() %}
{%- set dbscan = dbscan_representatives() %}

with

customers as (

    select * from {{ ref('ml_customer_features_scaled') }}

){% if dbscan is not none and dbscan.representatives %},

gaps as (

    select
        customer_id
        {%- for rep in dbscan.representatives %},
        sqrt(
            {%- for input in inputs %}
            {{ '+ ' if not loop.first }}power({{ input.name }} - {{ float_literal(rep['values'][loop.index0]) }}, 2)
            {%- endfor %}
        ) - {{ float_literal(rep.radius) }} as gap_{{ rep.index }}
        {%- endfor %}
    from customers

),

nearest as (

    select
        *,
        least(
            {%- for rep in dbscan.representatives %}
            {{ ', ' if not loop.first }}gap_{{ rep.index }}
            {%- endfor %}
        ) as nearest_gap
    from gaps

)

select
    customer_id,
    'dbscan' as method,
    case
        when nearest_gap > {{ float_literal(dbscan.eps) }} then 0
        {%- for rep in dbscan.representatives %}
        when gap_{{ rep.index }} = nearest_gap then {{ rep.cluster }}
        {%- endfor %}
    end as cluster_index,
    case
        {%- for rep in dbscan.representatives %}
        when gap_{{ rep.index }} = nearest_gap then gap_{{ rep.index }} + {{ float_literal(rep.radius) }}
        {%- endfor %}
    end as distance_to_centroid
from nearest
{% elif dbscan is not none %}

select
    customer_id,
    'dbscan' as method,
    0 as cluster_index,
    sqrt(
        {%- for input in inputs %}
        {{ '+ ' if not loop.first }}power({{ input.name }}, 2)
        {%- endfor %}
    ) as distance_to_centroid
from customers
{% else %}

-- Parsing: an empty relation with the same columns.
select
    customer_id,
    'dbscan' as method,
    cast(null as integer) as cluster_index,
    cast(null as {{ dbt.type_float() }}) as distance_to_centroid
from customers
where 1 = 0
{% endif %}
