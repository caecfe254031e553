{% macro model_inputs() %}
    {#-
        The rows of ml_feature_scaling as a list of dicts, in feature_position
        order: the column list of every wide model downstream (scaled features,
        centroids, scoring). Read at compile time, after ml_feature_scaling is
        built; empty while dbt only parses.
    -#}
    {#- ref() before anything else, so that parsing records the dependency. -#}
    {%- set scaling = ref('ml_feature_scaling') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=scaling.database, schema=scaling.schema, identifier=scaling.identifier) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        "select feature_name, source_feature, encoding, category_level, impute_value, "
        ~ "lower_cap, upper_cap, is_log_transformed, center, scale, is_explicitly_selected "
        ~ "from " ~ relation ~ " order by feature_position") -%}
    {%- set inputs = [] -%}
    {%- for row in result.rows -%}
        {%- do inputs.append({
            'name': row[0], 'source': row[1], 'encoding': row[2], 'level': row[3],
            'impute_value': row[4], 'lower_cap': row[5], 'upper_cap': row[6],
            'is_log': row[7], 'center': row[8], 'scale': row[9], 'explicit': row[10]}) -%}
    {%- endfor -%}
    {{ return(inputs) }}
{% endmacro %}


{% macro scaled_input_expression(input) %}
    {#-
        SQL for one model input of one customer, replaying the stored
        transformation of ml_feature_scaling: impute, cap, log1p, standardize
        (numeric) or 0/1 (one-hot). Raw columns come from the relations aliased
        `features` (int_customer_features) and `category_mix`.
    -#}
    {%- if input.encoding == 'one_hot' -%}
        {%- if input.level == '__other__' -%}
            case when features.{{ input.source }} is not null and features.{{ input.source }} not in (
                select category_level from {{ ref('ml_feature_scaling') }}
                where source_feature = {{ sql_string(input.source) }} and category_level is not null
            ) then 1.0 else 0.0 end
        {%- elif input.level == '__missing__' -%}
            case when features.{{ input.source }} is null then 1.0 else 0.0 end
        {%- else -%}
            case when features.{{ input.source }} = {{ sql_string(input.level) }} then 1.0 else 0.0 end
        {%- endif -%}
    {%- else -%}
        {%- set relation = 'category_mix' if input.source == 'category_mix' else 'features' -%}
        {%- set value = 'coalesce(cast(' ~ relation ~ '.' ~ input.name ~ ' as ' ~ type_double() ~ '), ' ~ input.impute_value ~ ')' -%}
        {%- set capped = 'least(greatest(' ~ value ~ ', ' ~ input.lower_cap ~ '), ' ~ input.upper_cap ~ ')' -%}
        {%- set transformed = 'ln(1 + ' ~ capped ~ ')' if input.is_log else capped -%}
        ({{ transformed }} - {{ input.center }}) / {{ input.scale }}
    {%- endif -%}
{% endmacro %}


{% macro named_numeric_inputs() %}
    {#-
        Names of the numeric model inputs a segment can be named after: the
        numeric features, not the category shares or one-hot levels. The
        features ml_segment_feature_deviations and ml_segment_member_claims
        cover, so every driver has its claim.
    -#}
    {%- set names = [] -%}
    {%- for input in model_inputs() -%}
        {%- if input.encoding == 'numeric' and input.source != 'category_mix' -%}
            {%- do names.append(input.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{% macro check_model_inputs(inputs, log_left_out=false) %}
    {#-
        Stops the build, naming the cause, when the model matrix cannot be
        fitted or scored: too few customers accepted or with a purchase,
        nobody started by as_of_date, no clustering feature with variance.
        Called by both readers of the scaling (ml_fit_sample before a fit,
        ml_customer_features_scaled in every build), so the first to compile
        explains. The models calling it declare the tables the messages read.
        log_left_out: also log the default features left out (once per build).
    -#}
{%- if execute %}
    {#- Customers without a completed purchase are not clustered: too few
        buyers is its own problem, named before any other. -#}
    {%- set counts = run_query(
        "select count(*), sum(case when is_clustered then 1 else 0 end) from "
        ~ ref('int_customer_features')) %}
    {%- set customers = counts.columns[0].values()[0] | int %}
    {%- set clustered = (counts.columns[1].values()[0] or 0) | int %}
    {%- set wanted = (var('n_clusters') or var('k_min')) | int %}
    {%- set accepted = run_query("select count(*) from " ~ ref('int_customers_cleaned')).columns[0].values()[0] | int %}
    {%- if accepted < [wanted, 2] | max %}
        {#- The input had enough rows (validate_customer_count), but too few were accepted. -#}
        {{ exceptions.raise_compiler_error(
            "Only " ~ accepted ~ " customers of " ~ input_description('customers') ~ " were accepted, "
            ~ "fewer than the " ~ ([wanted, 2] | max) ~ " segments asked for (var k_min / n_clusters): "
            ~ "the other rows were quarantined (see quarantined_rows: a missing or repeated customer_id, "
            ~ "or a line the CSV reader could not read).") }}
    {%- endif %}
    {%- if customers == 0 and checked_var('as_of_date') %}
        {{ exceptions.raise_compiler_error(
            "No customer of " ~ input_description('customers') ~ " had started by as_of_date "
            ~ checked_var('as_of_date') ~ ": every signup date and first order is later. "
            ~ "Set var as_of_date to a date within the data, or leave it out (the latest order date).") }}
    {%- endif %}
    {%- if customers > 0 and clustered < [wanted, 2] | max %}
        {{ exceptions.raise_compiler_error(
            "Only " ~ clustered ~ " of the " ~ customers ~ " customers have a completed purchase in "
            ~ input_description('orders') ~ (" up to as_of_date " ~ checked_var('as_of_date') if checked_var('as_of_date') else "")
            ~ ", fewer than the " ~ ([wanted, 2] | max) ~ " segments asked for (var k_min / n_clusters): "
            ~ "customers whose orders are all cancelled (var cancel_statuses) or returned "
            ~ "(var return_statuses), or who never ordered, are the No Purchase Yet segment and "
            ~ "are not clustered. Check the order statuses, var cancel_statuses and var as_of_date.") }}
    {%- endif %}
    {%- if not inputs %}
        {{ exceptions.raise_compiler_error(
            "No clustering feature has any variance in " ~ input_description('customers')
            ~ ": every customer has the same value for every feature, so there is nothing to segment on."
            ~ orders_quarantine_hint()) }}
    {%- endif %}
    {%- set selection = selected_features() %}
    {%- if log_left_out and not selection.explicit %}
        {%- set sources = inputs | map(attribute='source') | list %}
        {%- set left_out = selection.names | reject('in', sources) | list %}
        {%- if left_out %}
            {{ log("Left out of the model (default features): " ~ left_out | join(', ')
                   ~ ": no variance, or a standard deviation under var min_feature_variation ("
                   ~ checked_var('min_feature_variation') ~ ") of the mean; see "
                   ~ "ml_feature_scaling.coefficient_of_variation", info=true) }}
        {%- endif %}
    {%- endif %}
    {%- if selection.explicit %}
        {%- set sources = inputs | map(attribute='source') | list %}
        {%- for name in selection.names if name not in sources %}
            {{ exceptions.raise_compiler_error(
                "Feature '" ~ name ~ "' (named in var features) has no variance: every column it "
                ~ "makes has the same value for every customer, so it cannot separate segments. "
                ~ "Remove it from var features.") }}
        {%- endfor %}
    {%- endif %}
    {%- for input in inputs %}
        {%- if input.encoding == 'numeric' and not (input.scale and input.scale > 0) %}
            {{ exceptions.raise_compiler_error(
                "Feature '" ~ input.name ~ "' (named in var features) has no variance: every customer "
                ~ "has the value " ~ input.center ~ " after cleaning and imputation, so it cannot "
                ~ "separate segments. Remove it from var features.") }}
        {%- endif %}
    {%- endfor %}
{%- endif %}
{% endmacro %}


{% macro scaled_model_matrix(inputs, sample_size=none) %}
    {#-
        The model matrix as a select: one row per clustered customer (the No
        Purchase Yet group is not clustered: int_customer_features.is_clustered),
        one column per model input, transformed and standardized as stored in
        ml_feature_scaling. With sample_size, only the first sample_size
        customers in the order of sample_key (a hash of customer_id: see
        sample_order_key): a deterministic pseudo-random sample, scaled after
        sampling so a fit never scales every customer.
    -#}
    with

    features as (

        select * from {{ ref('int_customer_features') }}
        where is_clustered

    ),
    {%- if sample_size is not none %}

    ranked as (

        select
            *,
            row_number() over (order by sample_key, customer_id) as sample_rank
        from features

    ),

    sampled as (

        select * from ranked where sample_rank <= {{ sample_size | int }}

    ),
    {%- endif %}

    category_mix as (

        select * from {{ ref('int_customer_category_mix') }}

    )

    select
        features.customer_id
        {%- for input in inputs %},
        {{ scaled_input_expression(input) }} as {{ input.name }}
        {%- endfor %}
    from {{ 'sampled' if sample_size is not none else 'features' }} as features
    left join category_mix on features.customer_id = category_mix.customer_id
{% endmacro %}
