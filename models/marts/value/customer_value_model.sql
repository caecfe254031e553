{#-
    The fitted customer-value models, for whoever checks what customer_value
    and its backtest rest on: BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q,
    gamma), time in weeks, with the window each was fitted on. purpose
    'score' is fitted on the purchases up to as_of_date and scores
    customer_value; 'backtest' on those up to the cut-off, for the backtest.
    A row with status 'not_fitted' gives the reason and no parameters.
-#}

with

value_model as (

    select * from {{ ref('ml_customer_value_model') }}

)

select
    cast(value_model.purpose as {{ dbt.type_string() }}) as purpose,
    cast(value_model.status as {{ dbt.type_string() }}) as status,
    cast(value_model.reason as {{ dbt.type_string() }}) as reason,
    cast(value_model.window_end_date as date) as window_end_date,
    cast(value_model.r as {{ type_double() }}) as r,
    cast(value_model.alpha as {{ type_double() }}) as alpha,
    cast(value_model.a as {{ type_double() }}) as a,
    cast(value_model.b as {{ type_double() }}) as b,
    cast(value_model.bgnbd_log_likelihood as {{ type_double() }}) as bgnbd_log_likelihood,
    cast(value_model.bgnbd_customers as bigint) as bgnbd_customers,
    cast(value_model.repeat_buyers as bigint) as repeat_buyers,
    cast(value_model.p as {{ type_double() }}) as p,
    cast(value_model.q as {{ type_double() }}) as q,
    cast(value_model.gamma as {{ type_double() }}) as gamma,
    cast(value_model.gamma_gamma_log_likelihood as {{ type_double() }}) as gamma_gamma_log_likelihood,
    cast(value_model.gamma_gamma_customers as bigint) as gamma_gamma_customers,
    cast(value_model.time_unit as {{ dbt.type_string() }}) as time_unit
from value_model
