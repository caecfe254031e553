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
        {%- set value = 'coalesce(cast(' ~ relation ~ '.' ~ input.name ~ ' as ' ~ dbt.type_float() ~ '), ' ~ input.impute_value ~ ')' -%}
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
