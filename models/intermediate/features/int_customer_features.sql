{#-
    One row per customer of this run with every candidate feature, unscaled
    and in business units. The run's customers are the accepted customers,
    except, when var as_of_date is given, those who had not started by then
    (signed up later and no order up to as_of_date): a run at a past date sees
    the company as it was, as it leaves out later orders. Without the var
    (as_of_date is then the latest order date) every accepted customer is in,
    including sign-ups since the last order. Customers without orders get defined values rather
    than nulls (documented per column in _features__models.yml):
      frequency, monetary, avg_order_value, return_rate -> 0
      recency_days  -> days since signup, else since the first order in the data
      purchase_cadence_days (fewer than 2 purchases) -> tenure_days
    Attributes the input lacks stay null here and are imputed in ml_feature_scaling.
    is_clustered marks the customers the clusters are fitted on and scored:
    with orders, those with at least one completed purchase; the others (only
    cancelled, returned or amount-0 orders, or none) are the "No Purchase Yet" segment.
    Without orders every customer is clustered on their attributes.
-#}

with

customers as (

    select * from {{ ref('int_customers_cleaned') }}

),

order_metrics as (

    select * from {{ ref('int_customer_order_metrics') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

joined as (

    select
        customers.customer_id,
        customers.customer_key,
        customers.sample_key,
        customers.signup_date,
        customers.birth_date,
        customers.age as stated_age,
        customers.annual_income,
        customers.spending_score,
        customers.gender,
        customers.country,
        order_metrics.total_orders,
        order_metrics.frequency,
        order_metrics.cancelled_orders,
        order_metrics.gross_revenue,
        order_metrics.refunded_amount,
        order_metrics.net_revenue,
        order_metrics.avg_order_value,
        order_metrics.return_rate,
        {{ dbt.datediff('order_metrics.last_purchase_date', 'as_of.as_of_date', 'day') }} as recency_days,
        order_metrics.purchase_cadence_days,
        order_metrics.first_order_date,
        order_metrics.first_purchase_date,
        order_metrics.last_purchase_date,
        as_of.as_of_date,
        as_of.earliest_order_date,
        -- The customer's start: signup, or the first order when that is earlier
        -- or the signup date is unknown.
        case
            when customers.signup_date is null then order_metrics.first_order_date
            when order_metrics.first_order_date is null then customers.signup_date
            when order_metrics.first_order_date < customers.signup_date
                then order_metrics.first_order_date
            else customers.signup_date
        end as start_date
    from customers
    left join order_metrics
        on customers.customer_id = order_metrics.customer_id
    cross join as_of

),

final as (

    select
        customer_id,
        -- Keys: the order state's (customer_value joins the value scores on
        -- it) and the sample order's (the bounded fit samples take their
        -- first rows by it).
        customer_key,
        sample_key,

        -- behaviour
        coalesce(frequency, 0) > 0 as has_purchases,
        {{ 'coalesce(frequency, 0) > 0' if has_orders_input() else 'true' }} as is_clustered,
        coalesce(total_orders, 0) as total_orders,
        coalesce(frequency, 0) as frequency,
        coalesce(cancelled_orders, 0) as cancelled_orders,
        coalesce(net_revenue, 0) as monetary,
        coalesce(gross_revenue, 0) as gross_revenue,
        coalesce(refunded_amount, 0) as refunded_amount,
        coalesce(avg_order_value, 0) as avg_order_value,
        coalesce(return_rate, 0) as return_rate,
        case
            when recency_days is not null then recency_days
            when start_date > as_of_date then 0
            else {{ dbt.datediff('coalesce(start_date, earliest_order_date)', 'as_of_date', 'day') }}
        end as recency_days,
        case
            when start_date > as_of_date then 0
            else {{ dbt.datediff('start_date', 'as_of_date', 'day') }}
        end as tenure_days,
        coalesce(
            purchase_cadence_days,
            case
                when start_date > as_of_date then 0
                else {{ dbt.datediff('start_date', 'as_of_date', 'day') }}
            end
        ) as purchase_cadence_days,

        -- attributes
        coalesce(
            stated_age,
            floor({{ dbt.datediff('birth_date', 'as_of_date', 'day') }} / 365.25)
        ) as age,
        annual_income,
        spending_score,
        gender,
        country,

        -- dates
        signup_date,
        first_purchase_date,
        last_purchase_date
    from joined
    {%- if checked_var('as_of_date') %}
    -- Not yet a customer on as_of_date.
    where start_date is null or start_date <= as_of_date
    {%- endif %}

)

select * from final
