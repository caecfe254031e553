{#-
    A readable name and a one-line description per segment, every word true
    of the members, no two names alike. From its strongest deviations
    (ml_segment_feature_deviations) and the phrase book seed
    segment_name_phrases:
      - drivers are features at least var('segment_name_min_deviation') sd
        from the population (for recency and newness, leaning that way:
        macro driver_counts) whose claim holds for most members
        (ml_segment_member_claims: "Big Spenders" only when most spent above
        the median, "New" only when most first bought recently, ...),
        strongest first;
      - the noun comes from the strongest driver that has one
        ("Big Spenders"), else "Customers";
      - the adjective from the strongest other driver that has one
        ("High-Income"), so names read "High-Income Big Spenders";
      - no driver at all: "Mainstream Customers";
      - a team may name an archetype itself: segment_playbook's
        segment_name_override, when set, replaces the generated name of every
        segment of that archetype (ml_segment_archetypes);
      - a segment that continues one of the previous run keeps its name
        (ml_segment_matching) while every word of it is still true of the
        members and it carries no number;
      - the No Purchase Yet group (no_purchase_segment_id()) and DBSCAN's
        noise have fixed names.
    Two segments that would share a name are told apart by what
    distinguishes the second from the first (a kept name, else the lower
    segment_id, keeps the plain name): the feature on which their centres
    differ most (among features where the members' medians differ the same
    way), as that feature's adjective when its claim holds for the second
    segment's members and its name does not already speak of the feature
    ("Lapsed Big Spenders"), else as a comparison ("Big Spenders (less
    recent)"). Names still alike after that add their
    second-largest difference; the primary_key test on segment_name fails the
    build if any remain.
    The description lists the top three drivers in plain words.
-#}

with

deviations as (

    select * from {{ ref('ml_segment_feature_deviations') }}

),

phrases as (

    select * from {{ ref('segment_name_phrases') }}

),

segments as (

    select segment_id from {{ ref('ml_segments') }}

),

claims as (

    select * from {{ ref('ml_segment_member_claims') }}

),

drivers as (

    select
        deviations.segment_id,
        deviations.feature_name,
        deviations.standardized_difference,
        deviations.driver_rank,
        phrases.adjective,
        phrases.noun,
        phrases.description_phrase
    from deviations
    inner join phrases
        on deviations.feature_name = phrases.feature_name
        and deviations.direction = phrases.direction
    inner join claims
        on deviations.segment_id = claims.segment_id
        and deviations.feature_name = claims.feature_name
        and deviations.direction = claims.direction
    where claims.holds
        and {{ driver_counts('deviations.feature_name', 'deviations.direction',
                             'deviations.standardized_difference') }}

),

nouns as (

    select segment_id, feature_name, noun
    from (
        select
            *,
            row_number() over (partition by segment_id order by driver_rank) as noun_rank
        from drivers
        where noun is not null
    ) as ranked
    where noun_rank = 1

),

adjectives as (

    select segment_id, adjective
    from (
        select
            drivers.segment_id,
            drivers.adjective,
            row_number() over (
                partition by drivers.segment_id order by drivers.driver_rank
            ) as adjective_rank
        from drivers
        left join nouns
            on drivers.segment_id = nouns.segment_id
            and drivers.feature_name = nouns.feature_name
        where drivers.adjective is not null
            and nouns.feature_name is null
    ) as ranked
    where adjective_rank = 1

),

name_overrides as (

    select
        archetypes.segment_id,
        playbook.segment_name_override
    from {{ ref('ml_segment_archetypes') }} as archetypes
    inner join {{ ref('segment_playbook') }} as playbook
        on archetypes.archetype = playbook.archetype
    where playbook.segment_name_override is not null
        and trim(playbook.segment_name_override) <> ''

),

-- A segment that continues one of the previous run (ml_segment_matching)
-- keeps its name, so dashboards and campaigns do not see it renamed, while
-- the name is still true: no word of it whose claim now fails for the
-- members ("New" customers a year later), and no number (names of older
-- versions of this project).
previous_names as (

    select stable_segment_id as segment_id, previous_segment_name
    from {{ ref('ml_segment_matching') }}
    where lineage_status = 'continued'
        and previous_segment_name is not null

),

untrue_previous_names as (

    select distinct previous_names.segment_id
    from previous_names
    inner join claims on previous_names.segment_id = claims.segment_id
    inner join phrases
        on claims.feature_name = phrases.feature_name
        and claims.direction = phrases.direction
    where not claims.holds
        and (
            {{ contains_word('previous_names.previous_segment_name', 'phrases.adjective') }}
            or {{ contains_word('previous_names.previous_segment_name', 'phrases.noun') }}
        )

),

continued_names as (

    select previous_names.segment_id, previous_names.previous_segment_name
    from previous_names
    left join untrue_previous_names
        on previous_names.segment_id = untrue_previous_names.segment_id
    where untrue_previous_names.segment_id is null
        and not ({{ dbt.right('previous_names.previous_segment_name', '1') }} between '0' and '9')

),

descriptions as (

    select
        segment_id,
        {{ ordered_string_agg('description_phrase', "', '", ['driver_rank']) }} as driver_phrases
    from drivers
    where driver_rank <= 3
    group by segment_id

),

base_names as (

    select
        segments.segment_id,
        case
            -- DBSCAN's noise (segment 0) is not a group: say so before its profile.
            when segments.segment_id = 0 then 'Unclustered Outliers'
            when segments.segment_id = {{ no_purchase_segment_id() }} then 'No Purchase Yet'
            when name_overrides.segment_name_override is not null
                then trim(name_overrides.segment_name_override)
            when continued_names.previous_segment_name is not null
                then continued_names.previous_segment_name
            when nouns.noun is null and adjectives.adjective is null then 'Mainstream Customers'
            when nouns.noun is null then {{ dbt.concat(['adjectives.adjective', "' Customers'"]) }}
            when adjectives.adjective is null then nouns.noun
            else {{ dbt.concat(['adjectives.adjective', "' '", 'nouns.noun']) }}
        end as base_name,
        case
            when segments.segment_id = {{ no_purchase_segment_id() }}
                then 'Customers without a completed purchase: their orders were all cancelled or returned, or they have not ordered yet.'
            when segments.segment_id = 0
                then {{ dbt.concat(["'Customers in no dense region (DBSCAN noise)'",
                                    "coalesce(" ~ dbt.concat(["'; they '", 'descriptions.driver_phrases']) ~ ", '')",
                                    "'.'"]) }}
            when descriptions.driver_phrases is null
                then 'No feature sets most of these customers apart from the rest.'
            else {{ dbt.concat(["'Customers who '", 'descriptions.driver_phrases', "'.'"]) }}
        end as segment_description,
        coalesce(
            segments.segment_id > 0
            and name_overrides.segment_name_override is null
            and continued_names.previous_segment_name is not null,
            false
        ) as is_kept_name
    from segments
    left join nouns on segments.segment_id = nouns.segment_id
    left join adjectives on segments.segment_id = adjectives.segment_id
    left join descriptions on segments.segment_id = descriptions.segment_id
    left join name_overrides on segments.segment_id = name_overrides.segment_id
    left join continued_names on segments.segment_id = continued_names.segment_id

),

-- Names alike: the first (a kept name, else the lowest segment_id) keeps
-- it; every other is told apart from that first one.
leaders as (

    select
        base_name,
        segment_id as leader_id
    from (
        select
            base_name,
            segment_id,
            row_number() over (
                partition by base_name
                order by case when is_kept_name then 0 else 1 end, segment_id
            ) as name_rank
        from base_names
    ) as ranked
    where name_rank = 1

),

followers as (

    select
        base_names.segment_id,
        base_names.base_name,
        leaders.leader_id
    from base_names
    inner join leaders on base_names.base_name = leaders.base_name
    where base_names.segment_id <> leaders.leader_id

),

medians as (

    -- Members' medians in business units, one per segment and feature.
    select segment_id, feature_name, segment_median
    from claims
    where direction = 'high'

),

differences as (

    -- How each follower's centre differs from its leader's, per feature,
    -- largest first; only where the members' medians differ the same way,
    -- so that "(higher spend)" is true of the typical member, not only of
    -- the mean in model units.
    select
        followers.segment_id,
        followers.base_name,
        own.feature_name,
        case
            when own.standardized_difference > leader.standardized_difference then 'high'
            else 'low'
        end as direction,
        row_number() over (
            partition by followers.segment_id
            order by abs(own.standardized_difference - leader.standardized_difference) desc,
                own.feature_name
        ) as difference_rank
    from followers
    inner join deviations as own on followers.segment_id = own.segment_id
    inner join deviations as leader
        on followers.leader_id = leader.segment_id
        and own.feature_name = leader.feature_name
    inner join medians as own_median
        on followers.segment_id = own_median.segment_id
        and own.feature_name = own_median.feature_name
    inner join medians as leader_median
        on followers.leader_id = leader_median.segment_id
        and own.feature_name = leader_median.feature_name
    where (own.standardized_difference > leader.standardized_difference
            and own_median.segment_median > leader_median.segment_median)
        or (own.standardized_difference < leader.standardized_difference
            and own_median.segment_median < leader_median.segment_median)

),

named_features as (

    -- Features a follower's name already speaks of, either way: a second
    -- word on the same feature could contradict the first ("Lapsed Active").
    select distinct followers.segment_id, phrases.feature_name
    from followers
    cross join phrases
    where {{ contains_word('followers.base_name', 'phrases.adjective') }}
        or {{ contains_word('followers.base_name', 'phrases.noun') }}

),

qualifiers as (

    select
        differences.segment_id,
        differences.difference_rank,
        phrases.comparison,
        -- The adjective only when it is true of the follower's own members
        -- and its name does not already speak of the feature.
        case
            when claims.holds
                and phrases.adjective is not null
                and named_features.feature_name is null
                then phrases.adjective
        end as adjective
    from differences
    inner join phrases
        on differences.feature_name = phrases.feature_name
        and differences.direction = phrases.direction
    left join claims
        on differences.segment_id = claims.segment_id
        and differences.feature_name = claims.feature_name
        and differences.direction = claims.direction
    left join named_features
        on differences.segment_id = named_features.segment_id
        and differences.feature_name = named_features.feature_name
    where differences.difference_rank <= 2

),

told_apart as (

    select
        base_names.segment_id,
        base_names.segment_description,
        case
            when followers.segment_id is null then base_names.base_name
            when first_qualifier.adjective is not null
                then {{ dbt.concat(['first_qualifier.adjective', "' '", 'base_names.base_name']) }}
            else coalesce(
                {{ dbt.concat(['base_names.base_name', "' ('", 'first_qualifier.comparison', "')'"]) }},
                base_names.base_name
            )
        end as segment_name,
        case
            when followers.segment_id is null then base_names.base_name
            else {{ dbt.concat(['base_names.base_name', "' ('", 'first_qualifier.comparison',
                                "', '", 'second_qualifier.comparison', "')'"]) }}
        end as longer_name,
        followers.segment_id is null as is_leader
    from base_names
    left join followers on base_names.segment_id = followers.segment_id
    left join qualifiers as first_qualifier
        on base_names.segment_id = first_qualifier.segment_id
        and first_qualifier.difference_rank = 1
    left join qualifiers as second_qualifier
        on base_names.segment_id = second_qualifier.segment_id
        and second_qualifier.difference_rank = 2

),

still_alike as (

    select
        *,
        row_number() over (
            partition by segment_name
            order by case when is_leader then 0 else 1 end, segment_id
        ) as name_rank
    from told_apart

)

select
    segment_id,
    case
        when name_rank > 1 and longer_name is not null then longer_name
        else segment_name
    end as segment_name,
    segment_description
from still_alike
