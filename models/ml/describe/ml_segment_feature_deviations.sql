{#-
    How far each segment of the primary method sits from the population on
    each numeric clustering feature, in standard deviations. The model matrix
    is standardized (population mean 0, sd 1), so a segment's mean there is
    its standardized difference. Drives segment names and descriptions.
-#}
{%- set numeric_inputs = named_numeric_inputs() %}

with

scaled as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

assignments as (

    select customer_id, segment_id from {{ ref('ml_primary_segment_assignments') }}

),

segment_means as (

    -- One pass over the customers; the result (segments x features) is
    -- unpivoted below, where it is small.
    select
        assignments.segment_id
        {%- for name in numeric_inputs %},
        round(avg(scaled.{{ name }}), 6) as {{ name }}
        {%- endfor %}
    from scaled
    inner join assignments on scaled.customer_id = assignments.customer_id
    group by assignments.segment_id

),

deviations as (

    {%- for name in numeric_inputs %}
    select
        segment_id,
        '{{ name }}' as feature_name,
        {{ name }} as standardized_difference
    from segment_means
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_bigint() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ type_double() }}) as standardized_difference
    where 1 = 0
    {%- endfor %}

)

select
    segment_id,
    feature_name,
    standardized_difference,
    case when standardized_difference >= 0 then 'high' else 'low' end as direction,
    row_number() over (
        partition by segment_id
        order by abs(standardized_difference) desc, feature_name
    ) as driver_rank
from deviations
