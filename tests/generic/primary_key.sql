{% test primary_key(model, column_name) %}
{#-
    unique + not_null in one query (one test node instead of two, which adds
    up over a build's many keys). Fails with one row per null or repeated key.
-#}
select
    {{ column_name }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1
{% endtest %}
