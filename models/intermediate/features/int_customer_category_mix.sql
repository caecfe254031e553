{#-
    Share of each customer's purchase revenue (up to as_of_date) per product
    category: one column category_share__<category> for each of the top
    var('max_category_features') categories by revenue, and
    category_share__other for the rest. Customers without purchases have all
    shares 0. The column set follows the data, so it is read at compile time.
    Only built out when category_mix is a clustering feature: otherwise the
    model is just the customer ids, and the 20M-line scan is skipped. In score
    mode the columns are those of the stored model (ml_feature_scaling), so
    scoring replays the fit even when the top categories have changed.
-#}
-- The refs below sit in branches that only run at execution, so dbt cannot
-- see them when it parses; named here so the DAG orders this model after them.
-- depends_on: {{ ref('int_order_lines_cleaned') }}
-- depends_on: {{ ref('int_as_of_date') }}
{%- set categories = [] %}
{%- set absent_columns = [] %}
{%- set is_used = execute and 'category_mix' in selected_features().names %}
{%- if execute and var('mode') == 'score' %}
    {#- Scoring replays the stored model: the columns it was fitted on. -#}
    {%- set stored = adapter.get_relation(database=this.database, schema=this.schema,
                                          identifier='ml_feature_scaling') %}
    {%- set stored_columns = [] if stored is none else run_query(
        "select feature_name from " ~ stored ~ " where source_feature = 'category_mix'"
    ).columns[0].values() | list %}
    {%- set is_used = stored_columns | length > 0 %}
    {%- if is_used %}
        {%- set all_categories_query %}
            select category, sum(amount) as revenue
            from {{ ref('int_order_lines_cleaned') }}
            where is_purchase_line
            group by category
            order by revenue desc, category
        {%- endset %}
        {%- set produced = ['category_share__other'] %}
        {%- for category in run_query(all_categories_query).columns[0].values() %}
            {%- set column = 'category_share__' ~ category_column_suffix(category, loop.index) %}
            {%- if column in stored_columns and column not in produced %}
                {%- do categories.append(category) %}
                {%- do produced.append(column) %}
            {%- endif %}
        {%- endfor %}
        {#- A category of the fit that no longer sells: its share is 0. -#}
        {%- for column in stored_columns if column not in produced %}
            {%- do absent_columns.append(column) %}
        {%- endfor %}
    {%- endif %}
{%- elif is_used %}
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
        round(sum(case when category = {{ sql_string(category) }} then amount else 0 end), 6)
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
        {%- for column in absent_columns %}
        cast(0 as {{ type_double() }}) as {{ column }},
        {%- endfor %}
        coalesce(revenue_by_category.revenue__other / revenue_by_category.purchase_revenue, 0)
            as category_share__other
    from customers
    left join revenue_by_category
        on customers.customer_id = revenue_by_category.customer_id

)
{%- endif %}

select * from final
