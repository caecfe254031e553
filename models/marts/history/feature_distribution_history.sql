{#-
    Each run's distribution of every numeric model input, in business units:
    ten bins between the run's deciles (bin 1 up to the first decile, bin 10
    above the ninth), with the share of customers in each. Equal deciles of a
    discrete feature leave empty bins. The next run's population stability
    index is measured against these bins (segment_drift). Missing values are
    left out.
-#}
{%- set fractions = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] %}

with

feature_values as (

    {{ present_raw_feature_values() | indent(4) }}

),

deciles as (

    select
        feature_name
        {%- for fraction in fractions %},
        {{ quantile_at('feature_value', fraction, fractions) }} as q{{ loop.index }}
        {%- endfor %}
    from feature_values
    group by feature_name

),

-- A value's bin is 1 + the number of deciles below it: no range join.
counts as (

    select
        feature_values.feature_name,
        {{ decile_bin('feature_values.feature_value', 'deciles') }} as bin_number,
        count(*) as customers
    from feature_values
    inner join deciles on feature_values.feature_name = deciles.feature_name
    group by 1, 2

),

bins as (

    {%- for bin in range(1, 11) %}
    select
        feature_name,
        {{ bin }} as bin_number,
        {{ 'cast(null as ' ~ type_double() ~ ')' if bin == 1 else 'q' ~ (bin - 1) }} as bin_lower,
        {{ 'cast(null as ' ~ type_double() ~ ')' if bin == 10 else 'q' ~ bin }} as bin_upper
    from deciles
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select
    cast(current_run.run_id as integer) as run_id,
    cast(bins.feature_name as {{ dbt.type_string() }}) as feature_name,
    cast(bins.bin_number as integer) as bin_number,
    cast(bins.bin_lower as double) as bin_lower,
    cast(bins.bin_upper as double) as bin_upper,
    cast(coalesce(counts.customers, 0) as integer) as customers,
    cast(coalesce(counts.customers, 0) as double)
        / sum(coalesce(counts.customers, 0)) over (partition by bins.feature_name) as customer_share
from bins
left join counts
    on bins.feature_name = counts.feature_name
    and bins.bin_number = counts.bin_number
cross join {{ ref('ml_current_run') }} as current_run
