{#-
    The orders rows that need a person's attention: rejected rows, and
    accepted rows with a value that was set aside (invalid_columns). Small,
    so the quarantine marts and the reconciliation read it instead of
    validating every order line again.
-#}

select *
from {{ ref('int_orders_validated') }}
where rejection_reason is not null or invalid_columns is not null
