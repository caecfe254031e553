{#-
    Every customers row, typed, with the reason it is rejected (null when it is
    accepted). Rules, in order:
      1. no customer_id                      -> rejected
      2. customer_id seen on another row     -> the most complete row is kept
         (most parseable attributes, then the earliest row); the others are
         rejected, naming the row that was kept.
    An attribute that does not parse (age 'abc') or is out of range does not
    reject the customer: it becomes null, is imputed later, and is listed in
    invalid_columns (see quarantined_values). In range means: age 0-120, a
    birth date giving such an age, a signup date from var min_plausible_date
    to today, income and spending score from 0 to var max_plausible_amount
    (so NaN and infinity are out).
-#}
{%- set max_amount = float_literal(checked_var('max_plausible_amount')) %}

with

customers as (

    select * from {{ ref('stg_input__customers') }}

),

levels as (

    select attribute, raw_value, level from {{ ref('int_categorical_levels') }}

),

typed as (

    select
        -- ids: text exactly as given (staging trimmed surrounding spaces)
        {{ as_text('customer_id') }} as customer_id,

        -- dates
        {{ parse_date('signup_date') }} as signup_date,
        {{ parse_date('birth_date') }} as birth_date,

        -- numerics
        {{ parse_number('age') }} as age,
        {{ parse_number('annual_income') }} as annual_income,
        {{ parse_number('spending_score') }} as spending_score,

        -- categorical levels: 'F', 'female' and 'Female ' are one level
        -- (int_categorical_levels, the alias seed)
        gender_level.level as gender,
        country_level.level as country,

        -- raw values, for the quarantine
        customer_id as raw_customer_id,
        signup_date as raw_signup_date,
        birth_date as raw_birth_date,
        age as raw_age,
        annual_income as raw_annual_income,
        spending_score as raw_spending_score,
        gender as raw_gender,
        country as raw_country,

        source_row_number,
        source_file
    from customers
    left join levels as gender_level
        on gender_level.attribute = 'gender'
        and gender_level.raw_value = {{ as_text('customers.gender') }}
    left join levels as country_level
        on country_level.attribute = 'country'
        and country_level.raw_value = {{ as_text('customers.country') }}

),

range_checked as (

    -- Values that parse but cannot be true are treated as unparseable.
    -- NaN compares above every number here, so `x <= max` also drops NaN and infinity.
    select
        customer_id,
        case
            when signup_date >= {{ date_literal(checked_var('min_plausible_date')) }}
                and signup_date <= {{ machine_today() }}
                then signup_date
        end as signup_date,
        case
            when birth_date <= {{ machine_today() }}
                and birth_date > {{ dbt.dateadd('year', -121, machine_today()) }}
                then birth_date
        end as birth_date,
        case when age >= 0 and age <= 120 then age end as age,
        case when annual_income >= 0 and annual_income <= {{ max_amount }} then annual_income end
            as annual_income,
        case when spending_score >= 0 and spending_score <= {{ max_amount }} then spending_score end
            as spending_score,
        gender,
        country,
        raw_customer_id,
        raw_signup_date,
        raw_birth_date,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        raw_gender,
        raw_country,
        source_row_number,
        source_file
    from typed

),

flagged as (

    select
        *,
        {{ dbt.concat([
            "case when signup_date is null and raw_signup_date is not null then ', signup_date' else '' end",
            "case when birth_date is null and raw_birth_date is not null then ', birth_date' else '' end",
            "case when age is null and raw_age is not null then ', age' else '' end",
            "case when annual_income is null and raw_annual_income is not null then ', annual_income' else '' end",
            "case when spending_score is null and raw_spending_score is not null then ', spending_score' else '' end",
        ]) }} as invalid_columns_list,
        (case when signup_date is not null then 1 else 0 end)
        + (case when birth_date is not null then 1 else 0 end)
        + (case when age is not null then 1 else 0 end)
        + (case when annual_income is not null then 1 else 0 end)
        + (case when spending_score is not null then 1 else 0 end)
        + (case when gender is not null then 1 else 0 end)
        + (case when country is not null then 1 else 0 end) as parsed_attribute_count
    from range_checked

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by parsed_attribute_count desc, source_row_number
        ) as rank_within_id,
        first_value(source_row_number) over (
            partition by customer_id
            order by parsed_attribute_count desc, source_row_number
        ) as kept_source_row_number
    from flagged

),

final as (

    select
        customer_id,
        signup_date,
        birth_date,
        age,
        annual_income,
        spending_score,
        gender,
        country,
        case
            when customer_id is null then 'missing customer_id'
            when rank_within_id > 1
                then {{ dbt.concat(["'duplicate customer_id (kept source row '", cast_or_null('kept_source_row_number', dbt.type_string()), "')'"]) }}
        end as rejection_reason,
        -- the list starts with ', ': drop it
        nullif(
            {{ dbt.right('invalid_columns_list', dbt.length('invalid_columns_list') ~ ' - 2') }}, ''
        ) as invalid_columns,
        raw_customer_id,
        raw_signup_date,
        raw_birth_date,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        raw_gender,
        raw_country,
        source_row_number,
        source_file,
        -- Hashed once here, not in each bounded sample that orders by it.
        {{ sample_order_key('customer_id') }} as sample_key
    from ranked

)

select * from final
