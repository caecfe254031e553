{#-
    The orders rows that need a person's attention: rejected rows, and
    accepted rows with a value that was set aside (invalid_columns). Small,
    so the quarantine marts and the reconciliation read it instead of
    validating every order line again.

    Finding them is a second pass over every order line (at 20M lines, a
    quarter of the build's order work), so it is skipped when exact counts
    prove there is nothing to find: every row read was accepted into the
    per-customer metrics and none had a value set aside. The proof is used
    only when this invocation built both counts (selected_resources), so a
    stale table from an earlier build never stands in for this input; when
    it cannot be used, the pass runs.
-#}
-- depends_on: {{ ref('int_customer_order_metrics') }}
-- depends_on: {{ ref('int_input_row_counts') }}

{%- set proven_clean = execute and orders_proven_clean() %}

select *
from {{ ref('int_orders_validated') }}
{%- if proven_clean %}
-- Proven clean by the counts: an empty result with the same columns.
where 1 = 0
{%- else %}
where rejection_reason is not null or invalid_columns is not null
{%- endif %}
