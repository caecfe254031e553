{#-
    Is each word a segment's name could use true of its members? One row per
    (segment, numeric clustering feature, direction) with the claim the word
    makes, the share of members for whom it holds, and whether it holds for
    most of them (more than half). Names (ml_segment_names) and archetypes
    (ml_segment_archetypes) use a driver only where its claim holds: a
    segment's mean can sit far from the population's while most of its
    members do not (heavy-tailed spend: a few large spenders lift the mean).
    The claims, over the clustered customers (the population):
      high / low        the member is above / below the population median
                        ("Big Spenders", "High-Value", "Low-Value", ...);
      tenure_days low   the member's first purchase is at most var
                        new_customer_days before as_of_date ("New",
                        "Newcomers"): new in absolute terms, not only
                        newer than the rest;
      recency_days high the member is overdue ("Lapsed"): days since their
                        last purchase above var at_risk_gap_multiple times
                        their usual gap, for one-time buyers (and gaps of
                        0 days) the median gap of repeat buyers;
      recency_days low  the member is not overdue ("Active"): the exact
                        complement, so a segment is never both; "more recent
                        than most" is no activity where most customers have
                        lapsed;
      frequency low     the member bought once ("One-Off Buyers",
                        "Occasional").
-#}
{%- set numeric_inputs = named_numeric_inputs() %}
{%- set gap_multiple = var('at_risk_gap_multiple') | float %}
{%- set new_customer_days = var('new_customer_days') | int %}

with

members as (

    select
        assignments.segment_id,
        features.*
    from {{ ref('ml_primary_segment_assignments') }} as assignments
    inner join {{ ref('int_customer_features') }} as features
        on assignments.customer_id = features.customer_id

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

population as (

    select
        -- Gaps of 0 days (two orders on one day) are no rhythm.
        {{ quantile('case when frequency >= 2 and purchase_cadence_days > 0 then purchase_cadence_days end', 0.5) }}
            as median_repeat_gap
        {%- for name in numeric_inputs %},
        {{ quantile(name, 0.5) }} as median_{{ name }}
        {%- endfor %}
    from members

),

member_facts as (

    select
        members.segment_id,
        members.first_purchase_date >= {{ dbt.dateadd('day', -new_customer_days, 'as_of.as_of_date') }}
            as is_new,
        members.frequency <= 1 as is_one_off,
        members.recency_days > {{ gap_multiple }} * (
            case
                when members.frequency >= 2 and members.purchase_cadence_days > 0
                    then members.purchase_cadence_days
                else population.median_repeat_gap
            end
        ) as is_overdue
        {%- for name in numeric_inputs %},
        members.{{ name }} as value_{{ name }},
        members.{{ name }} > population.median_{{ name }} as above_{{ name }},
        members.{{ name }} < population.median_{{ name }} as below_{{ name }}
        {%- endfor %}
    from members
    cross join population
    cross join as_of

),

shares as (

    -- Null facts (an attribute the customer lacks) count in neither part.
    select
        segment_id,
        count(*) as members,
        avg(cast(case when is_new then 1 else 0 end as {{ type_double() }})) as share_new,
        avg(cast(case when is_one_off then 1 else 0 end as {{ type_double() }})) as share_one_off,
        avg(cast(case when is_overdue then 1 when is_overdue is not null then 0 end as {{ type_double() }})) as share_overdue,
        avg(cast(case when not is_overdue then 1 when is_overdue is not null then 0 end as {{ type_double() }}))
            as share_not_overdue
        {%- for name in numeric_inputs %},
        {{ quantile('value_' ~ name, 0.5) }} as segment_median_{{ name }},
        avg(cast(case when above_{{ name }} then 1 when above_{{ name }} is not null then 0 end as {{ type_double() }}))
            as share_above_{{ name }},
        avg(cast(case when below_{{ name }} then 1 when below_{{ name }} is not null then 0 end as {{ type_double() }}))
            as share_below_{{ name }}
        {%- endfor %}
    from member_facts
    group by segment_id

),

claims as (

    {%- for name in numeric_inputs %}
    {%- set high_claim = {
        'share': 'share_overdue' if name == 'recency_days' else 'share_above_' ~ name,
        'text': ("most members overdue: days since their last purchase above " ~ gap_multiple
                 ~ " x their usual gap (one-time buyers: the median gap of repeat buyers)")
                if name == 'recency_days'
                else 'most members above the population median of ' ~ name,
    } %}
    {%- set low_claim = {
        'share': {'tenure_days': 'share_new', 'frequency': 'share_one_off',
                  'recency_days': 'share_not_overdue'}.get(name, 'share_below_' ~ name),
        'text': {'tenure_days': 'most members made their first purchase in the last '
                                ~ new_customer_days ~ ' days',
                 'frequency': 'most members bought once',
                 'recency_days': 'most members within their rhythm: days since their last purchase at most '
                                 ~ gap_multiple ~ ' x their usual gap'}.get(
                     name, 'most members below the population median of ' ~ name),
    } %}
    select
        shares.segment_id,
        '{{ name }}' as feature_name,
        'high' as direction,
        '{{ high_claim.text }}' as claim,
        shares.{{ high_claim.share }} as member_share,
        shares.segment_median_{{ name }} as segment_median,
        population.median_{{ name }} as population_median
    from shares
    cross join population

    union all

    select
        shares.segment_id,
        '{{ name }}' as feature_name,
        'low' as direction,
        '{{ low_claim.text }}' as claim,
        shares.{{ low_claim.share }} as member_share,
        shares.segment_median_{{ name }} as segment_median,
        population.median_{{ name }} as population_median
    from shares
    cross join population
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        cast(null as {{ dbt.type_bigint() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as claim,
        cast(null as {{ type_double() }}) as member_share,
        cast(null as {{ type_double() }}) as segment_median,
        cast(null as {{ type_double() }}) as population_median
    where 1 = 0
    {%- endfor %}

)

select
    segment_id,
    feature_name,
    direction,
    claim,
    cast(round(member_share, 6) as {{ type_double() }}) as member_share,
    round(segment_median, 6) as segment_median,
    round(population_median, 6) as population_median,
    coalesce(member_share > 0.5, false) as holds
from claims
