{#-
    Every spelling of a categorical value in the input (gender and country of
    customers, category of orders) and the level it is counted as. Spellings
    with one key (macro level_key: case and whitespace ignored) are one level,
    and spellings the seed categorical_level_aliases lists are the level it
    names (M -> male, FR -> France). A level is shown as the seed writes it, or
    else as its most frequent spelling in the input.
    A table of the distinct spellings: the validation models join it instead of
    running a regular expression on every one of 20M order lines.
-#}

with

customers as (

    select * from {{ ref('stg_input__customers') }}

),

orders as (

    select * from {{ ref('stg_input__orders') }}

),

spellings as (

    select 'gender' as attribute, {{ as_text('gender') }} as raw_value, count(*) as rows_with_spelling
    from customers
    group by {{ as_text('gender') }}

    union all

    select 'country' as attribute, {{ as_text('country') }} as raw_value, count(*) as rows_with_spelling
    from customers
    group by {{ as_text('country') }}

    union all

    select 'category' as attribute, {{ as_text('category') }} as raw_value, count(*) as rows_with_spelling
    from orders
    group by {{ as_text('category') }}

),

keyed as (

    select
        attribute,
        raw_value,
        rows_with_spelling,
        {{ level_key('raw_value') }} as level_key
    from spellings
    where raw_value is not null

),

aliases as (

    -- A key listed twice with two levels fails the seed's test
    -- categorical_level_aliases_are_unambiguous; min() only keeps this join 1:1.
    select
        attribute,
        {{ level_key('alias') }} as alias_key,
        min(level) as level
    from {{ ref('categorical_level_aliases') }}
    group by attribute, {{ level_key('alias') }}

),

seed_levels as (

    -- The levels the seed names, by their own key: 'Female' in the input and
    -- 'F' (alias of female) are one level, shown as the seed writes it.
    select
        attribute,
        {{ level_key('level') }} as level_key,
        min(level) as level
    from {{ ref('categorical_level_aliases') }}
    group by attribute, {{ level_key('level') }}

),

resolved as (

    select
        keyed.attribute,
        keyed.raw_value,
        keyed.level_key,
        keyed.rows_with_spelling,
        aliases.level is not null as is_aliased,
        {{ level_key('coalesce(aliases.level, keyed.raw_value)') }} as resolved_key
    from keyed
    left join aliases
        on keyed.attribute = aliases.attribute
        and keyed.level_key = aliases.alias_key

),

most_frequent_spelling as (

    select
        attribute,
        resolved_key,
        trim({{ collapse_whitespace('raw_value') }}) as spelling,
        row_number() over (
            partition by attribute, resolved_key
            order by rows_with_spelling desc, raw_value
        ) as spelling_rank
    from resolved

)

select
    resolved.attribute,
    resolved.raw_value,
    resolved.level_key,
    coalesce(seed_levels.level, most_frequent_spelling.spelling) as level,
    resolved.is_aliased,
    resolved.rows_with_spelling
from resolved
left join seed_levels
    on resolved.attribute = seed_levels.attribute
    and resolved.resolved_key = seed_levels.level_key
inner join most_frequent_spelling
    on resolved.attribute = most_frequent_spelling.attribute
    and resolved.resolved_key = most_frequent_spelling.resolved_key
    and most_frequent_spelling.spelling_rank = 1
