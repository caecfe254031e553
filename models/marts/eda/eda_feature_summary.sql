{#-
    One row per numeric model input and stage (raw business units, and the
    model input after imputation, capping, log and scaling): the summary
    statistics an analyst reads before trusting a clustering, and the
    transformation that turned one stage into the other.
-#}

with

feature_values as (

    {{ eda_feature_values() | indent(4) }}

),

scaling as (

    select * from {{ ref('ml_feature_scaling') }}
    where encoding = 'numeric'

),

statistics as (

    select
        stage,
        feature_name,
        count(*) as customers,
        count(*) - count(feature_value) as missing_values,
        avg(feature_value) as mean_value,
        stddev_samp(feature_value) as sd_value,
        min(feature_value) as min_value,
        {{ quantile_at('feature_value', 0.25, [0.25, 0.5, 0.75]) }} as p25_value,
        {{ quantile_at('feature_value', 0.5, [0.25, 0.5, 0.75]) }} as median_value,
        {{ quantile_at('feature_value', 0.75, [0.25, 0.5, 0.75]) }} as p75_value,
        max(feature_value) as max_value
    from feature_values
    group by stage, feature_name

)

select
    cast(scaling.feature_position as integer) as feature_position,
    statistics.feature_name,
    statistics.stage,
    cast(statistics.customers as integer) as customers,
    cast(statistics.missing_values as integer) as missing_values,
    round(statistics.mean_value, 9) as mean_value,
    round(statistics.sd_value, 9) as sd_value,
    round(statistics.min_value, 9) as min_value,
    round(statistics.p25_value, 9) as p25_value,
    round(statistics.median_value, 9) as median_value,
    round(statistics.p75_value, 9) as p75_value,
    round(statistics.max_value, 9) as max_value,
    scaling.skewness,
    scaling.is_log_transformed,
    {{ dbt.concat([
        "'missing -> ' ", "coalesce(cast(round(scaling.impute_value, 4) as " ~ dbt.type_string() ~ "), 'n/a')",
        "'; capped to [' ", "coalesce(cast(round(scaling.lower_cap, 4) as " ~ dbt.type_string() ~ "), 'n/a')",
        "', ' ", "coalesce(cast(round(scaling.upper_cap, 4) as " ~ dbt.type_string() ~ "), 'n/a')", "']'",
        "case when scaling.is_log_transformed then '; log1p' else '' end",
        "'; standardized'"]) }} as transformation
from statistics
inner join scaling on statistics.feature_name = scaling.feature_name
