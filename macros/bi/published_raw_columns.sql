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


{% macro published_raw_columns() %}
    {#-
        var published_raw_columns, checked: the input columns whose raw values
        may leave dbt's file in the published quarantine marts. Raises, naming
        the var, unless it is a list of input column names.
    -#}
    {%- set columns = var('published_raw_columns') -%}
    {%- set known = [] -%}
    {%- for names in quarantine_raw_columns().values() -%}
        {%- for name in names if name[4:] not in known -%}
            {%- do known.append(name[4:]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if columns is string or columns is mapping or columns is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "var published_raw_columns must be a list of input columns, e.g. [customer_id, "
            ~ "order_id], not " ~ columns ~ ". Columns: " ~ known | join(', ')) }}
    {%- endif -%}
    {%- set unknown = [] -%}
    {%- for column in columns if column not in known -%}
        {%- do unknown.append(column | string) -%}
    {%- endfor -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "var published_raw_columns names " ~ unknown | join(', ')
            ~ ", which no input has. Columns: " ~ known | join(', ')) }}
    {%- endif -%}
    {{ return(columns | list) }}
{% endmacro %}
