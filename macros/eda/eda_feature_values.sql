{% macro eda_numeric_inputs() %}
    {#- The numeric model inputs (features and category shares), one-hot levels left out. -#}
    {%- set numeric = [] -%}
    {%- for input in model_inputs() -%}
        {%- if input.encoding == 'numeric' -%}
            {%- do numeric.append(input) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(numeric) }}
{% endmacro %}


{% macro eda_feature_values(stages=('raw', 'model_input')) %}
    {#-
        One row per clustered customer (int_customer_features.is_clustered),
        numeric model input and stage, as
        (stage, feature_name, feature_value):
          raw          business units, before imputation, capping and log
                       (null where the customer has no value)
          model_input  the value the clustering saw: imputed, capped,
                       log1p-transformed where skewed, standardized
        Long rather than wide so that one group-by summarizes every feature.
    -#}
    {#- Relations bound before the loop, which is empty while dbt parses, so
        parsing records the dependencies of every model calling this. -#}
    {%- set features_relation = ref('int_customer_features') -%}
    {%- set category_mix_relation = ref('int_customer_category_mix') -%}
    {%- set scaled_relation = ref('ml_customer_features_scaled') if 'model_input' in stages else none -%}
    {%- set inputs = eda_numeric_inputs() -%}
    {%- set parts = [] %}
    {%- for input in inputs %}
    {%- if 'raw' in stages %}
    {%- do parts.append(1) %}
    {{ 'union all' if parts | length > 1 }}
    select
        'raw' as stage,
        '{{ input.name }}' as feature_name,
        cast({{ 'category_mix' if input.source == 'category_mix' else 'features' }}.{{ input.name }} as {{ type_double() }}) as feature_value
    from {{ features_relation }} as features
    {%- if input.source == 'category_mix' %}
    left join {{ category_mix_relation }} as category_mix
        on features.customer_id = category_mix.customer_id
    {%- endif %}
    -- The clustering's population, as in model_input: not No Purchase Yet.
    where features.is_clustered
    {%- endif %}
    {%- if 'model_input' in stages %}
    {%- do parts.append(1) %}
    {{ 'union all' if parts | length > 1 }}
    select
        'model_input' as stage,
        '{{ input.name }}' as feature_name,
        cast(scaled.{{ input.name }} as {{ type_double() }}) as feature_value
    from {{ scaled_relation }} as scaled
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ type_double() }}) as feature_value
    where 1 = 0
    {%- endfor %}
{% endmacro %}


{% macro present_raw_feature_values() %}
    {#- (feature_name, feature_value) of every customer's numeric model inputs in business units, missing values left out. -#}
    select feature_name, feature_value
    from (
        {{ eda_feature_values(stages=('raw',)) | indent(8) }}
    ) as raw_values
    where feature_value is not null
{%- endmacro %}
