{{ config(enabled=method_enabled('gmm')) }}
-- One row per candidate number of components of the Gaussian mixture: its diagnostics and whether BIC chose it.
select distinct
    k,
    bic,
    aic,
    log_likelihood,
    inertia,
    silhouette,
    calinski_harabasz,
    davies_bouldin,
    is_chosen,
    selection_rule,
    fit_customers
from {{ ref('ml_gmm_models') }}
