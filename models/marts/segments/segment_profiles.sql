{#-
    One row per segment of the primary method: who is in it (name, one-line
    description, top drivers), how big it is (customers, share of customers
    and of net revenue), and for each numeric feature its mean, median and
    deviation from the population (segment mean minus population mean, in
    population standard deviations); and whether it is real: its bootstrap
    stability from the fit (ml_cluster_stability, through the cluster
    numbering that gives each fitted cluster its segment id); and what it
    is worth from here on: its members' predicted 12-month value and value
    at risk (customer_value; null when there is no value model).
-#}
{%- set features = profile_features() %}

with

customers as (

    select * from {{ ref('dim_customer_segments') }}

),

names as (

    select * from {{ ref('ml_segment_names') }}

),

customer_values as (

    select customer_id, predicted_value_12m, value_at_risk
    from {{ ref('customer_value') }}

),

deviations as (

    select * from {{ ref('ml_segment_feature_deviations') }}

),

stability as (

    select
        numbering.cluster_id as segment_id,
        stability.segment_jaccard
    from {{ ref('ml_cluster_stability') }} as stability
    inner join {{ ref('ml_cluster_numbering') }} as numbering
        on stability.method = numbering.method
        and stability.cluster_index = numbering.cluster_index
    where stability.method = {{ sql_string(checked_var('primary_method')) }}

),

population as (

    select
        count(*) as customers,
        sum(monetary) as revenue
        {%- for feature in features %},
        avg({{ feature }}) as mean_{{ feature }},
        stddev_pop({{ feature }}) as sd_{{ feature }}
        {%- endfor %}
    from customers

),

per_segment as (

    select
        segment_id,
        count(*) as customers,
        sum(monetary) as revenue,
        sum(customer_values.predicted_value_12m) as predicted_value_12m,
        sum(customer_values.value_at_risk) as value_at_risk
        {%- for feature in features %},
        avg({{ feature }}) as mean_{{ feature }},
        {{ quantile(feature, 0.5) }} as median_{{ feature }}
        {%- endfor %}
    from customers
    left join customer_values on customers.customer_id = customer_values.customer_id
    group by segment_id

),

top_drivers as (

    select
        segment_id,
        {{ ordered_string_agg(
            dbt.concat([
                'feature_name',
                "case when standardized_difference >= 0 then ' +' else ' ' end",
                cast_or_null('round(standardized_difference, 2)', dbt.type_string()),
                "' sd'",
            ]),
            "', '",
            ['driver_rank'],
        ) }} as top_drivers
    from deviations
    where driver_rank <= 3
    group by segment_id

)

select
    cast(per_segment.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(names.segment_description as {{ dbt.type_string() }}) as segment_description,
    cast(top_drivers.top_drivers as {{ dbt.type_string() }}) as top_drivers,
    cast({{ sql_string(checked_var('primary_method')) }} as {{ dbt.type_string() }}) as segment_method,
    cast(per_segment.customers as integer) as customers,
    cast(round(cast(per_segment.customers as double) / population.customers, 6) as double) as customer_share,
    cast(round(per_segment.revenue, 2) as double) as revenue,
    cast(round(case when population.revenue > 0 then per_segment.revenue / population.revenue else 0 end, 6) as double) as revenue_share,
    cast(round(per_segment.revenue / per_segment.customers, 2) as double) as revenue_per_customer,
    cast(round(per_segment.predicted_value_12m, 2) as double) as predicted_value_12m,
    cast(round(per_segment.predicted_value_12m / per_segment.customers, 2) as double) as predicted_value_12m_per_customer,
    cast(round(per_segment.value_at_risk, 2) as double) as value_at_risk,
    cast(round(stability.segment_jaccard, 4) as double) as segment_stability
    {%- for feature in features %},
    cast(round(per_segment.mean_{{ feature }}, 4) as double) as mean_{{ feature }},
    cast(round(per_segment.median_{{ feature }}, 4) as double) as median_{{ feature }},
    cast(round(
        case
            when population.sd_{{ feature }} > 0
                then (per_segment.mean_{{ feature }} - population.mean_{{ feature }}) / population.sd_{{ feature }}
        end, 4) as double) as deviation_{{ feature }}
    {%- endfor %}
from per_segment
cross join population
left join names on per_segment.segment_id = names.segment_id
left join top_drivers on per_segment.segment_id = top_drivers.segment_id
left join stability on per_segment.segment_id = stability.segment_id
