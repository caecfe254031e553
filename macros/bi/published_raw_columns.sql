{% macro quarantine_raw_columns() %}
    {#-
        The raw columns each input keeps for its quarantined rows
        (quarantined_rows.raw_values holds them under these names), by source.
    -#}
    {{ return({
        'customers': ['raw_customer_id', 'raw_signup_date', 'raw_birth_date', 'raw_age',
                      'raw_gender', 'raw_country', 'raw_annual_income', 'raw_spending_score'],
        'orders': ['raw_order_id', 'raw_customer_id', 'raw_order_date', 'raw_amount',
                   'raw_category', 'raw_status', 'raw_quantity'],
    }) }}
{% endmacro %}


{% macro quarantine_input_columns() %}
    {#- The input columns quarantine_raw_columns keeps, without the raw_ prefix, once each. -#}
    {%- set columns = [] -%}
    {%- for names in quarantine_raw_columns().values() -%}
        {%- for name in names if name[4:] not in columns -%}
            {%- do columns.append(name[4:]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}


{% macro published_raw_columns() %}
    {#-
        var published_raw_columns, checked (macros/validation/vars.sql): the
        input columns whose raw values may leave dbt's file in the published
        quarantine marts.
    -#}
    {{ return(checked_var('published_raw_columns')) }}
{% endmacro %}
