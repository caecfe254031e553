{% test primary_key(model, column_name=none, columns=none, nullable_columns=[]) %}
{#-
    The model's grain: unique and never null, in one query (one test node
    instead of two or three, which adds up over a build's many keys). On a
    column (column_name) or, as a model-level test, on a combination
    (columns: [a, b]). A key part that is null by design (a migration's
    from_segment_id for customers new in the later run) is named in
    nullable_columns: it still counts in uniqueness, where nulls are equal.
    Fails with one row per repeated key or key with a forbidden null.
-#}
{%- set key = [column_name] if column_name is not none else columns %}
{%- if not key %}
    {{ exceptions.raise_compiler_error(
        "primary_key on " ~ model ~ ": name a column, or columns: [...] as a model-level test") }}
{%- endif %}
select
    {{ key | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ key | join(', ') }}
having {% for column in key if column not in nullable_columns %}{{ column }} is null or {% endfor %}count(*) > 1
{% endtest %}
