{#-
    Pearson correlation between every pair of model inputs (after
    transformation, as the clustering saw them), both orders and the diagonal,
    so a heat map is one query. Strongly correlated inputs weigh the same
    behaviour twice in the distances. All pairs come from one pass over the
    model matrix.
-#}
{%- set inputs = model_inputs() %}

with

scaled as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

pair_correlations as (

    select
        {%- for outer in range(inputs | length) %}
        {%- for inner in range(outer + 1, inputs | length) %}
        corr({{ inputs[outer].name }}, {{ inputs[inner].name }}) as corr_{{ outer }}_{{ inner }},
        {%- endfor %}
        {%- endfor %}
        count(*) as customers
    from scaled

),

pairs as (

    {%- for left in inputs %}
    {%- set outer = loop.index0 %}
    {%- for right in inputs %}
    {%- set inner = loop.index0 %}
    select
        '{{ left.name }}' as feature_x,
        '{{ right.name }}' as feature_y,
        {{ outer + 1 }} as position_x,
        {{ inner + 1 }} as position_y,
        {% if inner == outer -%} 1.0
        {%- elif inner > outer -%} corr_{{ outer }}_{{ inner }}
        {%- else -%} corr_{{ inner }}_{{ outer }}
        {%- endif %} as correlation
    from pair_correlations
    union all
    {%- endfor %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as feature_x,
        cast(null as {{ dbt.type_string() }}) as feature_y,
        0 as position_x,
        0 as position_y,
        cast(null as {{ type_double() }}) as correlation
    where 1 = 0

)

select
    feature_x,
    feature_y,
    cast(position_x as integer) as position_x,
    cast(position_y as integer) as position_y,
    round(cast(correlation as {{ type_double() }}), 9) as correlation
from pairs
