{% test row_count_matches(model, compare_model) %}
    {#- Fails when the model and compare_model have different row counts. -#}
    with counts as (
        select
            (select count(*) from {{ model }}) as model_rows,
            (select count(*) from {{ compare_model }}) as compare_rows
    ),

    validation_errors as (
        select * from counts where model_rows != compare_rows
    )

    select * from validation_errors
{% endtest %}
