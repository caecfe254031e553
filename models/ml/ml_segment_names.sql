{#-
    A readable name and a one-line description per segment, from its
    strongest deviations (ml_segment_feature_deviations) and the phrase book
    seed segment_name_phrases:
      - drivers are features at least var('segment_name_min_deviation') sd
        from the population, strongest first;
      - the noun comes from the strongest driver that has one
        ("Big Spenders"), else "Customers";
      - the adjective from the strongest other driver that has one
        ("High-Income"), so names read "High-Income Big Spenders";
      - no driver at all: "Mainstream Customers";
      - a team may name an archetype itself: segment_playbook's
        segment_name_override, when set, replaces the generated name of every
        segment of that archetype (ml_segment_archetypes);
      - a segment that continues one of the previous run keeps its name
        (ml_segment_matching);
      - a name already taken by a lower segment_id gets " 2", " 3", ...
    The description lists the top three drivers in plain words.
-#}
{%- set min_deviation = var('segment_name_min_deviation', 0.5) | float %}

with

deviations as (

    select * from {{ ref('ml_segment_feature_deviations') }}

),

phrases as (

    select * from {{ ref('segment_name_phrases') }}

),

segments as (

    select cluster_id as segment_id
    from {{ ref('ml_cluster_numbering') }}
    where method = '{{ var("primary_method", "kmeans") }}'

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
    where abs(deviations.standardized_difference) >= {{ min_deviation }}

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
-- keeps its name, so dashboards and campaigns do not see it renamed.
continued_names as (

    select stable_segment_id as segment_id, previous_segment_name
    from {{ ref('ml_segment_matching') }}
    where lineage_status = 'continued'
        and previous_segment_name is not null

),

descriptions as (

    select
        segment_id,
        {{ dbt.listagg('description_phrase', "', '", "order by driver_rank") }} as driver_phrases
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
            when segments.segment_id = 0
                then {{ dbt.concat(["'Customers in no dense region (DBSCAN noise)'",
                                    "coalesce(" ~ dbt.concat(["'; they '", 'descriptions.driver_phrases']) ~ ", '')",
                                    "'.'"]) }}
            when descriptions.driver_phrases is null
                then 'Customers close to the average on every feature.'
            else {{ dbt.concat(["'Customers who '", 'descriptions.driver_phrases', "'.'"]) }}
        end as segment_description,
        coalesce(
            segments.segment_id <> 0
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

-- The highest number a kept name already uses for each other base name
-- ("Mainstream Customers" = 1, "Mainstream Customers 2" = 2), so new
-- segments number on from there instead of taking a kept name.
taken_suffixes as (

    select
        others.segment_id,
        max(case
            when kept.base_name = others.base_name then 1
            when substr(kept.base_name, 1, length(others.base_name) + 1)
                = {{ dbt.concat(['others.base_name', "' '"]) }}
                then {{ dbt.safe_cast('substr(kept.base_name, length(others.base_name) + 2)', dbt.type_int()) }}
        end) as taken_suffix
    from base_names as others
    inner join base_names as kept on kept.is_kept_name
    where not others.is_kept_name
    group by others.segment_id

),

numbered as (

    select
        base_names.*,
        case
            when base_names.is_kept_name then 1
            else row_number() over (
                partition by base_names.is_kept_name, base_names.base_name
                order by base_names.segment_id
            ) + coalesce(taken_suffixes.taken_suffix, 0)
        end as name_occurrence
    from base_names
    left join taken_suffixes on base_names.segment_id = taken_suffixes.segment_id

)

select
    segment_id,
    case
        when is_kept_name or name_occurrence = 1 then base_name
        else {{ dbt.concat(['base_name', "' '", dbt.safe_cast('name_occurrence', dbt.type_string())]) }}
    end as segment_name,
    segment_description
from numbered
