{#-
    The model matrix: one row per clustered customer, one column per model
    input (see ml_feature_scaling), transformed and standardized. This is what
    the Python fits read (through ml_fit_sample) and what customers are scored
    on against the stored centroids.
-#}
-- Read only to explain a failure (the rows set aside), so fresh when it is read:
-- depends_on: {{ ref('int_input_row_counts') }}
-- depends_on: {{ ref('int_orders_with_issues') }}
-- depends_on: {{ ref('int_customers_cleaned') }}
{%- set inputs = model_inputs() %}
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
    {%- if not selection.explicit %}
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

with

features as (

    -- The "No Purchase Yet" group is not clustered (int_customer_features.is_clustered).
    select * from {{ ref('int_customer_features') }}
    where is_clustered

),

category_mix as (

    select * from {{ ref('int_customer_category_mix') }}

),

scaled as (

    select
        features.customer_id
        {%- for input in inputs %},
        {{ scaled_input_expression(input) }} as {{ input.name }}
        {%- endfor %}
    from features
    left join category_mix on features.customer_id = category_mix.customer_id

)

select * from scaled
