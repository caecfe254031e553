{#-
    Share of each customer's purchase revenue (up to as_of_date) per product
    category: one column category_share__<category> for each of the top
    var('max_category_features') categories by revenue, and
    category_share__other for the rest. Customers without purchases have all
    shares 0. The column set follows the data, so it is read at compile time.
    Only built out when category_mix is a clustering feature: otherwise the
    model is just the customer ids, and the 20M-line scan is skipped.
-#}
{%- set categories = [] %}
{%- set is_used = execute and 'category_mix' in selected_features().names %}
{%- if is_used %}
    {%- set top_categories_query %}
        select category, sum(amount) as revenue
        from {{ ref('int_order_lines_cleaned') }}
        where is_purchase_line
            and order_date <= (select as_of_date from {{ ref('int_as_of_date') }})
        group by category
        order by revenue desc, category
        limit {{ var('max_category_features') | int }}
    {%- endset %}
    {%- set categories = run_query(top_categories_query).columns[0].values() | list %}
{%- endif %}

with

customers as (

    select customer_id from {{ ref('int_customers_cleaned') }}

),
{%- if not is_used %}

final as (

    select customer_id from customers

)
{%- else %}

purchase_lines as (

    select order_lines.customer_id, order_lines.category, order_lines.amount
    from {{ ref('int_order_lines_cleaned') }} as order_lines
    cross join {{ ref('int_as_of_date') }} as as_of
    where order_lines.is_purchase_line
        and order_lines.order_date <= as_of.as_of_date

),

revenue_by_category as (

    select
        customer_id,
        round(sum(amount), 6) as purchase_revenue,
        {%- for category in categories %}
        round(sum(case when category = '{{ category | replace("'", "''") }}' then amount else 0 end), 6)
            as revenue__{{ category_column_suffix(category, loop.index) }},
        {%- endfor %}
        round(sum(
            case
                when category not in {{ sql_string_list(categories) if categories else "('')" }}
                    then amount
                else 0
            end
        ), 6) as revenue__other
    from purchase_lines
    group by customer_id

),

final as (

    select
        customers.customer_id,
        {%- for category in categories %}
        coalesce(revenue_by_category.revenue__{{ category_column_suffix(category, loop.index) }}
            / revenue_by_category.purchase_revenue, 0)
            as category_share__{{ category_column_suffix(category, loop.index) }},
        {%- endfor %}
        coalesce(revenue_by_category.revenue__other / revenue_by_category.purchase_revenue, 0)
            as category_share__other
    from customers
    left join revenue_by_category
        on customers.customer_id = revenue_by_category.customer_id

)
{%- endif %}

select * from final
