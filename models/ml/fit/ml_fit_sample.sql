{#-
    The rows the Python models fit on: every clustered customer up to
    var('fit_sample_size'), beyond that a deterministic pseudo-random sample
    (ordered by a hash of customer_id), as model inputs scaled with the
    scaling just fitted (macro scaled_model_matrix, the same SQL as
    ml_customer_features_scaled). Fitting on a bounded sample keeps the
    fit's time and memory flat as the customer base grows; every customer is
    then scored in SQL against the fitted centroids (ml/score/).
-#}
-- Read only to explain a failure (the rows set aside), so fresh when it is read:
-- depends_on: {{ ref('int_input_row_counts') }}
-- depends_on: {{ ref('int_orders_with_issues') }}
-- depends_on: {{ ref('int_customers_cleaned') }}
{%- set inputs = model_inputs() %}
{{- check_model_inputs(inputs) }}

{{ scaled_model_matrix(inputs, sample_size=checked_var('fit_sample_size')) }}
