{#-
    Histograms of every numeric model input, raw and as the model saw it, so
    a report or a BI tool draws a distribution from a few hundred rows instead
    of a million. Equal-width bins (var eda_histogram_bins) span the 0.5th to
    the 99.5th percentile of each feature and stage; the first and last bins
    also hold the values beyond, so one extreme customer cannot squash the
    picture. Every bin is present, empty ones with 0 customers.
-#}
{%- set bins = var('eda_histogram_bins') | int %}

with

feature_values as (

    {{ eda_feature_values() | indent(4) }}

),

present_values as (

    select stage, feature_name, feature_value
    from feature_values
    where feature_value is not null

),

bounds as (

    select
        stage,
        feature_name,
        {{ quantile_at('feature_value', 0.005, [0.005, 0.995]) }} as range_low,
        {{ quantile_at('feature_value', 0.995, [0.005, 0.995]) }} as range_high
    from present_values
    group by stage, feature_name

),

binned as (

    select
        present_values.stage,
        present_values.feature_name,
        case
            when bounds.range_high > bounds.range_low
                then cast(least(greatest(floor(
                    (present_values.feature_value - bounds.range_low)
                    / (bounds.range_high - bounds.range_low) * {{ bins }}), 0), {{ bins - 1 }}) as integer)
            else 0
        end as bin_index
    from present_values
    inner join bounds
        on present_values.stage = bounds.stage
        and present_values.feature_name = bounds.feature_name

),

counts as (

    select stage, feature_name, bin_index, count(*) as customers
    from binned
    group by stage, feature_name, bin_index

),

bin_numbers as (

    {%- for index in range(bins) %}
    select {{ index }} as bin_index {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select
    bounds.feature_name,
    bounds.stage,
    bin_numbers.bin_index + 1 as bin_number,
    bounds.range_low + (bounds.range_high - bounds.range_low) * bin_numbers.bin_index / {{ bins }} as bin_lower,
    bounds.range_low + (bounds.range_high - bounds.range_low) * (bin_numbers.bin_index + 1) / {{ bins }} as bin_upper,
    cast(coalesce(counts.customers, 0) as integer) as customers
from bounds
cross join bin_numbers
left join counts
    on bounds.stage = counts.stage
    and bounds.feature_name = counts.feature_name
    and bin_numbers.bin_index = counts.bin_index
-- A constant feature has one bin.
where bounds.range_high > bounds.range_low or bin_numbers.bin_index = 0
