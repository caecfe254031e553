{#-
    The model matrix: one row per clustered customer, one column per model
    input (see ml_feature_scaling), transformed and standardized. This is what
    every customer is scored on against the stored centroids, and what the
    profiles and EDA marts describe. The fit scales its own sample the same
    way (ml_fit_sample, macro scaled_model_matrix).
-#}
-- Read only to explain a failure (the rows set aside), so fresh when it is read:
-- depends_on: {{ ref('int_input_row_counts') }}
-- depends_on: {{ ref('int_orders_with_issues') }}
-- depends_on: {{ ref('int_customers_cleaned') }}
{%- set inputs = model_inputs() %}
{{- check_model_inputs(inputs, log_left_out=true) }}

{{ scaled_model_matrix(inputs) }}
