{#-
    How each clustering feature becomes a model input, one row per model input
    column, so the same transformation can be replayed in SQL on any customer:
      numeric:  impute missing with the median -> cap at the outlier quantiles
                -> log1p when a money/count feature is skewed -> standardize
      category_mix: the share columns of int_customer_category_mix, as numeric
      categorical: one-hot, one column per level (top var max_onehot_levels
                levels, the rest as '__other__', nulls as '__missing__'),
                left as 0/1 (center 0, scale 1)
    With default features, an input without variance is dropped here, and so
    is a numeric one that hardly varies: a standard deviation (of the capped
    values) under var min_feature_variation (default 0.1) of its mean. On a
    single-cohort export (everyone joined in one quarter) tenure spans a few
    weeks out of years; standardized, those weeks weigh as much as a
    tenfold difference in spend, and the clusters split customers by the
    month they joined. A feature named in var features without variance
    stops the build; one that hardly varies is kept, as asked.
-#}
{%- set selection = selected_features() %}
{%- set catalog = feature_catalog() %}
{%- set numeric_features = [] %}
{%- set categorical_features = [] %}
{%- for name in selection.names %}
    {%- if catalog[name].kind == 'numeric' %}
        {%- do numeric_features.append({'name': name, 'source': name, 'family': catalog[name].family, 'relation': 'features'}) %}
    {%- elif catalog[name].kind == 'categorical' %}
        {%- do categorical_features.append(name) %}
    {%- elif catalog[name].kind == 'share' and execute %}
        {%- for column in adapter.get_columns_in_relation(ref('int_customer_category_mix')) %}
            {%- if column.name.startswith('category_share__') %}
                {%- do numeric_features.append({'name': column.name, 'source': name, 'family': 'ratio', 'relation': 'category_mix'}) %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{%- endfor %}
{%- set lower_q = var('outlier_lower_quantile') | float %}
{%- set upper_q = var('outlier_upper_quantile') | float %}

with

features as (

    -- The customers the clusters are fitted on: not the "No Purchase Yet" group.
    select * from {{ ref('int_customer_features') }}
    where is_clustered

),

category_mix as (

    select category_mix.*
    from {{ ref('int_customer_category_mix') }} as category_mix
    inner join features on category_mix.customer_id = features.customer_id

),

numeric_values as (

    {%- for feature in numeric_features %}
    select
        '{{ feature.name }}' as feature_name,
        cast({{ feature.name }} as {{ type_double() }}) as raw_value
    from {{ feature.relation }}
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ type_double() }}) as raw_value
    where 1 = 0
    {%- endfor %}

),

-- One row per numeric feature: its metadata without scanning any values.
numeric_catalog as (

    {%- for feature in numeric_features %}
    select
        {{ loop.index }} as feature_position,
        '{{ feature.name }}' as feature_name,
        '{{ feature.source }}' as source_feature,
        '{{ feature.family }}' as feature_family
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        0 as feature_position,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as source_feature,
        cast(null as {{ dbt.type_string() }}) as feature_family
    where 1 = 0
    {%- endfor %}

),

medians as (

    select
        feature_name,
        {{ quantile('raw_value', 0.5) }} as impute_value,
        count(*) - count(raw_value) as customers_imputed
    from numeric_values
    group by feature_name

),

imputed as (

    select
        numeric_values.feature_name,
        coalesce(numeric_values.raw_value, medians.impute_value) as feature_value
    from numeric_values
    inner join medians on numeric_values.feature_name = medians.feature_name

),

caps as (

    select
        feature_name,
        {{ quantile('feature_value', lower_q) }} as lower_cap,
        {{ quantile('feature_value', upper_q) }} as upper_cap
    from imputed
    group by feature_name

),

capped as (

    select
        imputed.feature_name,
        case
            when imputed.feature_value < caps.lower_cap then caps.lower_cap
            when imputed.feature_value > caps.upper_cap then caps.upper_cap
            else imputed.feature_value
        end as feature_value
    from imputed
    inner join caps on imputed.feature_name = caps.feature_name

),

capped_moments as (

    select
        feature_name,
        avg(feature_value) as mean_value,
        stddev_pop(feature_value) as stddev_value
    from capped
    group by feature_name

),

skewness as (

    select
        capped.feature_name,
        case
            when capped_moments.stddev_value > 0
                then avg({{ integer_power('capped.feature_value - capped_moments.mean_value', 3) }})
                    / power(capped_moments.stddev_value, 3)
            else 0
        end as skewness
    from capped
    inner join capped_moments on capped.feature_name = capped_moments.feature_name
    group by capped.feature_name, capped_moments.stddev_value

),

numeric_parameters as (

    select
        numeric_catalog.feature_position,
        numeric_catalog.feature_name,
        numeric_catalog.source_feature,
        numeric_catalog.feature_family,
        medians.impute_value,
        medians.customers_imputed,
        caps.lower_cap,
        caps.upper_cap,
        round(skewness.skewness, 6) as skewness,
        -- Variation around the mean (a ratio, unitless); null for a mean of 0.
        round(capped_moments.stddev_value / nullif(abs(capped_moments.mean_value), 0), 6)
            as coefficient_of_variation,
        (
            numeric_catalog.feature_family in ('money', 'count')
            and skewness.skewness > {{ var('log_transform_skewness') | float }}
            and caps.lower_cap >= 0
        ) as is_log_transformed
    from numeric_catalog
    inner join medians on numeric_catalog.feature_name = medians.feature_name
    inner join caps on numeric_catalog.feature_name = caps.feature_name
    inner join skewness on numeric_catalog.feature_name = skewness.feature_name
    inner join capped_moments on numeric_catalog.feature_name = capped_moments.feature_name

),

transformed as (

    select
        capped.feature_name,
        case
            when numeric_parameters.is_log_transformed then ln(1 + capped.feature_value)
            else capped.feature_value
        end as feature_value
    from capped
    inner join numeric_parameters on capped.feature_name = numeric_parameters.feature_name

),

standardization as (

    -- Rounded so that parallel float sums cannot change a later digit between runs.
    select
        feature_name,
        round(avg(feature_value), 9) as center,
        round(stddev_pop(feature_value), 9) as scale
    from transformed
    group by feature_name

),

numeric_inputs as (

    select
        numeric_parameters.feature_position,
        numeric_parameters.feature_name,
        numeric_parameters.source_feature,
        'numeric' as encoding,
        cast(null as {{ dbt.type_string() }}) as category_level,
        numeric_parameters.impute_value,
        numeric_parameters.customers_imputed,
        numeric_parameters.lower_cap,
        numeric_parameters.upper_cap,
        numeric_parameters.skewness,
        numeric_parameters.is_log_transformed,
        numeric_parameters.coefficient_of_variation,
        standardization.center,
        standardization.scale
    from numeric_parameters
    inner join standardization on numeric_parameters.feature_name = standardization.feature_name

),

categorical_values as (

    {%- for name in categorical_features %}
    select
        '{{ name }}' as source_feature,
        coalesce({{ name }}, '__missing__') as category_level
    from features
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_feature,
        cast(null as {{ dbt.type_string() }}) as category_level
    where 1 = 0
    {%- endfor %}

),

level_counts as (

    select
        source_feature,
        category_level,
        count(*) as customers,
        row_number() over (
            partition by source_feature order by count(*) desc, category_level
        ) as level_rank,
        count(*) over (partition by source_feature) as level_count
    from categorical_values
    group by source_feature, category_level

),

one_hot_levels as (

    select distinct
        source_feature,
        case
            when level_rank <= {{ var('max_onehot_levels') | int }} then category_level
            else '__other__'
        end as category_level,
        case
            when level_rank <= {{ var('max_onehot_levels') | int }} then level_rank
            else {{ var('max_onehot_levels') | int }} + 1
        end as level_rank
    from level_counts
    -- A column with a single level carries no information.
    where level_count > 1

),

one_hot_inputs as (

    select
        {{ numeric_features | length }} + row_number() over (
            order by
                {%- if categorical_features %}
                case source_feature
                    {%- for name in categorical_features %}
                    when '{{ name }}' then {{ loop.index }}
                    {%- endfor %}
                end,
                {%- endif %}
                level_rank
        ) as feature_position,
        {{ dbt.concat(['source_feature', "'__'", slugify('category_level')]) }} as feature_name,
        source_feature,
        'one_hot' as encoding,
        category_level,
        cast(null as {{ type_double() }}) as impute_value,
        0 as customers_imputed,
        cast(null as {{ type_double() }}) as lower_cap,
        cast(null as {{ type_double() }}) as upper_cap,
        cast(null as {{ type_double() }}) as skewness,
        false as is_log_transformed,
        cast(null as {{ type_double() }}) as coefficient_of_variation,
        0.0 as center,
        1.0 as scale
    from one_hot_levels

),

all_inputs as (

    select * from numeric_inputs
    union all
    select * from one_hot_inputs

)

select
    *,
    {{ 'true' if selection.explicit else 'false' }} as is_explicitly_selected
from all_inputs
{%- if not selection.explicit %}
where scale > 0
    and (coefficient_of_variation is null
         or coefficient_of_variation >= {{ checked_var('min_feature_variation') }})
{%- else %}
-- A named feature without variance is kept, so that ml_customer_features_scaled
-- stops the build naming it; the columns a named feature expands into (one
-- share per category) are dropped when constant, like default features.
where scale > 0 or source_feature = feature_name
{%- endif %}
