{% test expression_is_true(model, expression, column_name=none) %}
    {#- Fails with every row for which `expression` is not true. -#}
    with validation_errors as (
        select *
        from {{ model }}
        where not coalesce({{ expression }}, false)
    )
    select * from validation_errors
{% endtest %}
