{#-
    One row per order of an accepted customer: the one pass over every
    accepted order line, shared by the per-customer metrics
    (int_customer_order_metrics) and the purchase days of the customer-value
    models (int_customer_value_summary). Lines dated after var as_of_date
    count only in accepted_order_lines; every other column is null or 0 for
    them, so an order wholly after the date has no order_date.
      order_date          its first line's date (lines may disagree)
      has_purchase        1 when a purchase line of it is in the window
      has_return          1 when a return line of it is in the window
      has_uncancelled_line 0 when every line in the window is cancelled
      purchase_amount     sum of its purchase lines
      refunded_amount     money paid back on its return lines
-#}
with

order_lines as (

    select * from {{ ref('int_order_lines_cleaned') }}

),

orders as (

    -- An order's lines may disagree on the date; its first line dates it.
    select
        customer_key,
        order_id,
        count(*) as accepted_order_lines,
        cast(sum(case when has_set_aside_value then 1 else 0 end) as bigint) as lines_with_set_aside_values,
        min({{ in_as_of_window('order_date') }}) as order_date,
        max({{ in_as_of_window('case when is_purchase_line then 1 else 0 end', '0') }}) as has_purchase,
        max({{ in_as_of_window('case when is_return_line then 1 else 0 end', '0') }}) as has_return,
        max({{ in_as_of_window('case when is_cancelled_line then 0 else 1 end', '0') }}) as has_uncancelled_line,
        sum({{ in_as_of_window('case when is_purchase_line then amount else 0 end', '0') }}) as purchase_amount,
        sum({{ in_as_of_window('case when is_return_line and amount < 0 then -amount else 0 end', '0') }}) as refunded_amount,
        sum({{ in_as_of_window('case when is_purchase_line then quantity else 0 end', '0') }}) as units
    from order_lines
    group by customer_key, order_id

)

select * from orders
