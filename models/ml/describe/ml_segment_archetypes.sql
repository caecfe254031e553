{#-
    The archetype of each segment of the primary method: the kind of group it
    is for marketing (champions, lapsed, new, price-sensitive, ...), from its
    drivers and two seeds a team can edit:
      segment_archetype_rules  archetype, feature_name, direction: every rule
                               of an archetype must hold, i.e. the segment sits
                               at least var('segment_name_min_deviation') sd
                               from the population on that feature, that way,
                               and the claim is true of most of its members
                               (ml_segment_member_claims); for recency (overdue
                               or not) and newness, which are facts about each
                               member, leaning that way at all is enough;
      segment_playbook         archetype_priority: when several archetypes
                               match, the lowest number wins, except that an
                               archetype with a rule on one of the segment's
                               top three drivers beats one without.
    The top-driver rule keeps a side effect from deciding the action: an
    all-returns segment is also 'lapsed' (recency high, 4th driver), but its
    returns (1st driver) are what the action must address.
    No archetype matches: 'mainstream'. The rules that matched are recorded.
-#}

with

deviations as (

    select * from {{ ref('ml_segment_feature_deviations') }}

),

rules as (

    select * from {{ ref('segment_archetype_rules') }}

),

playbook as (

    select * from {{ ref('segment_playbook') }}

),

segments as (

    select segment_id from {{ ref('ml_segments') }}

),

claims as (

    select * from {{ ref('ml_segment_member_claims') }}
    where holds

),

rules_per_archetype as (

    select archetype, count(*) as rules
    from rules
    group by archetype

),

rule_checks as (

    -- One row per (segment, archetype rule) that holds.
    select
        segments.segment_id,
        rules.archetype,
        rules.feature_name,
        rules.direction,
        deviations.standardized_difference,
        deviations.driver_rank
    from segments
    cross join rules
    inner join deviations
        on segments.segment_id = deviations.segment_id
        and rules.feature_name = deviations.feature_name
    -- ...and true of most of its members, not only of its mean.
    inner join claims
        on segments.segment_id = claims.segment_id
        and rules.feature_name = claims.feature_name
        and rules.direction = claims.direction
    where {{ driver_counts('rules.feature_name', 'rules.direction',
                           'deviations.standardized_difference') }}

),

matches as (

    select
        rule_checks.segment_id,
        rule_checks.archetype,
        {{ ordered_string_agg(
            dbt.concat(['rule_checks.feature_name', "' '", 'rule_checks.direction']),
            "', '",
            ['rule_checks.feature_name', 'rule_checks.direction'],
        ) }} as matched_rule,
        -- Top three, as in the names and segment_profiles.top_drivers.
        min(rule_checks.driver_rank) <= 3 as speaks_to_top_driver
    from rule_checks
    inner join rules_per_archetype
        on rule_checks.archetype = rules_per_archetype.archetype
    group by rule_checks.segment_id, rule_checks.archetype, rules_per_archetype.rules
    having count(*) = rules_per_archetype.rules

),

ranked as (

    select
        matches.segment_id,
        matches.archetype,
        matches.matched_rule,
        row_number() over (
            partition by matches.segment_id
            order by
                case when matches.speaks_to_top_driver then 0 else 1 end,
                playbook.archetype_priority,
                matches.archetype
        ) as match_rank
    from matches
    inner join playbook on matches.archetype = playbook.archetype

)

select
    segments.segment_id,
    -- DBSCAN's noise (segment 0) is no group: its own archetype, whatever its profile.
    case
        when segments.segment_id = 0 then 'unclustered'
        when segments.segment_id = {{ no_purchase_segment_id() }} then 'no_purchase'
        else coalesce(ranked.archetype, 'mainstream')
    end as archetype,
    case
        when segments.segment_id = 0 then 'DBSCAN noise'
        when segments.segment_id = {{ no_purchase_segment_id() }} then 'no completed purchase'
        else coalesce(ranked.matched_rule, 'no archetype rule holds')
    end as matched_rule
from segments
left join ranked
    on segments.segment_id = ranked.segment_id
    and ranked.match_rank = 1
