{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='run_id',
    full_refresh=false,
    on_schema_change='append_new_columns'
) }}

{#-
    Each run's distribution of every numeric model input, in business units:
    bins between the run's deciles (repeated deciles of a discrete feature
    collapse into one edge), with the share of customers in each. The next
    run's population stability index is measured against these bins
    (segment_drift). Missing values are left out.
-#}
-- depends_on: {{ ref('int_customer_features') }}, {{ ref('int_customer_category_mix') }}, {{ ref('ml_customer_features_scaled') }}

with

feature_values as (

    select feature_name, feature_value
    from (
        {{ eda_feature_values(stages=('raw',)) | indent(8) }}
    ) as raw_values
    where feature_value is not null

),

deciles as (

    select
        feature_name
        {%- for decile in range(1, 10) %},
        {{ quantile('feature_value', decile / 10) }} as q{{ decile }}
        {%- endfor %}
    from feature_values
    group by feature_name

),

edges as (

    {%- for decile in range(1, 10) %}
    select feature_name, q{{ decile }} as edge from deciles
    {{ 'union' if not loop.last }}
    {%- endfor %}

),

bins as (

    select
        feature_name,
        lag(edge) over (partition by feature_name order by edge) as bin_lower,
        edge as bin_upper
    from edges
    union all
    select feature_name, max(edge) as bin_lower, cast(null as {{ dbt.type_float() }}) as bin_upper
    from edges
    group by feature_name

),

numbered as (

    select
        feature_name,
        bin_lower,
        bin_upper,
        row_number() over (partition by feature_name order by bin_upper nulls last) as bin_number
    from bins

),

counts as (

    -- A value v is in (bin_lower, bin_upper]; the open ends take the tails.
    select
        numbered.feature_name,
        numbered.bin_number,
        count(feature_values.feature_value) as customers
    from numbered
    left join feature_values
        on numbered.feature_name = feature_values.feature_name
        and (numbered.bin_lower is null or feature_values.feature_value > numbered.bin_lower)
        and (numbered.bin_upper is null or feature_values.feature_value <= numbered.bin_upper)
    group by numbered.feature_name, numbered.bin_number

)

select
    cast(current_run.run_id as integer) as run_id,
    cast(numbered.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(numbered.bin_number as integer) as bin_number,
    cast(numbered.bin_lower as double) as bin_lower,
    cast(numbered.bin_upper as double) as bin_upper,
    cast(counts.customers as integer) as customers,
    cast(counts.customers as double)
        / sum(counts.customers) over (partition by numbered.feature_name) as customer_share
from numbered
inner join counts
    on numbered.feature_name = counts.feature_name
    and numbered.bin_number = counts.bin_number
cross join {{ ref('ml_current_run') }} as current_run
