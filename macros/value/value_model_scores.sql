{#-
    The closed forms of the customer-value models, in SQL, for every customer
    (docs/methods.md, customer value); segmentation.value computes the same in
    Python (probability_alive, expected_average_value) and the tests hold the
    two together. `model` is the alias of a row of ml_customer_value_model;
    the other arguments are column expressions, time in weeks.
-#}

{#- P(still active | x, t_x, T) under BG/NBD (FHL 2005, equation 11): 1 without
    a repeat purchase (dropout follows a purchase). The log-odds are capped
    before exp so a customer long gone gives 0, not an overflow. -#}
{% macro bgnbd_probability_alive(model, frequency, recency, age) -%}
case
    when {{ frequency }} = 0 then cast(1 as {{ type_double() }})
    else 1 / (1 + exp(least(cast(700 as {{ type_double() }}),
        ln({{ model }}.a) - ln({{ model }}.b + {{ frequency }} - 1)
        + ({{ model }}.r + {{ frequency }})
            * (ln({{ model }}.alpha + {{ age }}) - ln({{ model }}.alpha + {{ recency }})))))
end
{%- endmacro %}

{#- E[value of a purchase | x, mean repeat value m] under Gamma-Gamma: the
    customer's mean shrunk towards the population's, p (gamma + x m) /
    (p x + q - 1); the population mean p gamma / (q - 1) without a repeat
    purchase. -#}
{% macro gamma_gamma_expected_value(model, frequency, average_value) -%}
{{ model }}.p * ({{ model }}.gamma + {{ frequency }}
    * case when {{ frequency }} > 0 then coalesce({{ average_value }}, 0) else 0 end)
    / ({{ model }}.p * {{ frequency }} + {{ model }}.q - 1)
{%- endmacro %}
