{#-
    RFM scores and segment of every accepted customer, from the features
    alone (published with the customer's cluster segment in customer_rfm).
    Built before any fit, so its sorts over all customers run beside the
    clustering rather than at the end of the build.

    Scores are 1-5, 5 best, and only buyers (has_purchases) are scored: a
    customer without a completed purchase has no recency, frequency or spend
    to rank, so all their scores are 0 and their segment is 'No Purchase Yet'.
    Among buyers, equal values always get equal scores, and no score depends
    on row order:
      recency, monetary  quintile of rank among buyers,
                         1 + floor(5 * (rank - 1) / buyers), with SQL rank()
                         (equal values share the rank of the first of them).
      frequency          1 purchase -> 1; repeat buyers -> 2-5 by quartile of
                         rank among repeat buyers,
                         2 + floor(4 * (rank - 1) / repeat buyers).
    Why frequency differs: it is a small count, and in most shops most
    customers bought once (60-70% in real exports), so a quintile of all
    customers cannot exist. Ranked over everyone, all one-time buyers shared
    the bottom rank and a second order jumped a customer to F4, which made a
    third of a real export "Champions". The line that always separates
    customers is whether they came back, so it is fixed at one purchase, and
    the repeat buyers are spread by the shop's own rhythm rather than by fixed
    thresholds (1/2/3/4-5/6+ orders would put half of the demo's buyers in F5).
    A value held by more than a quarter of the repeat buyers leaves a score
    unused rather than splitting equal customers.
    The frequency-monetary score is the mean of F and M rounded half up, so a
    one-time buyer reaches at most FM 3 (never Champions in the shipped
    map). The segment:
      1. 'No Purchase Yet': no completed purchase.
      2. 'New Customers': first purchase at most var('new_customer_days')
         days before as_of_date, whatever the scores say.
      3. Otherwise the seed rfm_segment_map (recency score x fm score ranges),
         which a team can edit, looked up with the recency score capped at 2
         for a repeat buyer who is overdue against their own rhythm (days
         since the last purchase above var('at_risk_gap_multiple') x their
         mean gap, the test of customers_at_risk and of "Lapsed"). The
         recency quintile is relative: where most customers have lapsed
         (CDNOW, a real export), R4 spanned 141-430 days, and two thirds of
         the at-risk list were "Champions", 267 days out on a usual gap of 52.
         The score itself is not changed, so equal recencies keep equal scores.
    Every description is the seed's: the two rule segments are its rows
    without score ranges.
-#}

{%- set new_customer_days = checked_var('new_customer_days') %}
{%- set gap_multiple = checked_var('at_risk_gap_multiple') %}

with

customers as (

    -- Typed and rounded as dim_customer_segments shows them, so the ranks
    -- are those of the values an analyst sees.
    select
        customer_id,
        has_purchases,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        round(monetary, 2) as monetary,
        first_purchase_date,
        coalesce(
            frequency >= 2
                and purchase_cadence_days > 0
                and recency_days > {{ gap_multiple }} * purchase_cadence_days,
            false
        ) as is_overdue
    from {{ ref('int_customer_features') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

ranked as (

    -- Buyers are ranked among buyers, and repeat buyers' frequency among
    -- repeat buyers; the ranks of the other partitions are not used.
    select
        *,
        count(*) over (partition by has_purchases) as buyers,
        -- Unknown recency counts as the least recent.
        rank() over (
            partition by has_purchases order by recency_days desc nulls first
        ) as recency_rank,
        rank() over (partition by has_purchases order by monetary) as monetary_rank,
        count(*) over (partition by has_purchases, frequency >= 2) as repeat_buyers,
        rank() over (
            partition by has_purchases, frequency >= 2 order by frequency
        ) as frequency_rank
    from customers

),

scored as (

    select
        customer_id,
        has_purchases,
        first_purchase_date,
        is_overdue,
        case
            when not has_purchases then 0
            else cast(1 + floor(5.0 * (recency_rank - 1) / buyers) as integer)
        end as recency_score,
        case
            when not has_purchases then 0
            when frequency < 2 then 1
            else cast(2 + floor(4.0 * (frequency_rank - 1) / repeat_buyers) as integer)
        end as frequency_score,
        case
            when not has_purchases then 0
            else cast(1 + floor(5.0 * (monetary_rank - 1) / buyers) as integer)
        end as monetary_score
    from ranked

),

with_fm as (

    select
        *,
        cast(floor((frequency_score + monetary_score) / 2.0 + 0.5) as integer) as fm_score
    from scored

),

scores as (

    select 1 as score union all select 2 union all select 3 union all select 4 union all select 5

),

segment_map as (

    -- The map's ranges spread to its 25 cells, so customers join on equality
    -- (a range join per customer costs a second at 1M customers).
    select
        recency.score as recency_score,
        fm.score as fm_score,
        rfm_segment_map.rfm_segment,
        rfm_segment_map.description
    from scores as recency
    cross join scores as fm
    inner join {{ ref('rfm_segment_map') }} as rfm_segment_map
        on recency.score between rfm_segment_map.recency_score_min and rfm_segment_map.recency_score_max
        and fm.score between rfm_segment_map.fm_score_min and rfm_segment_map.fm_score_max

),

segmented as (

    select
        with_fm.*,
        case
            when not with_fm.has_purchases then 'No Purchase Yet'
            when {{ dbt.datediff('with_fm.first_purchase_date', 'as_of.as_of_date', 'day') }}
                <= {{ new_customer_days }} then 'New Customers'
        end as rule_segment,
        segment_map.rfm_segment as map_segment,
        segment_map.description as map_description
    from with_fm
    cross join as_of
    left join segment_map
        on case when with_fm.is_overdue then least(with_fm.recency_score, 2)
                else with_fm.recency_score end = segment_map.recency_score
        and with_fm.fm_score = segment_map.fm_score

),

rule_descriptions as (

    -- The seed's rows without score ranges describe the segments assigned
    -- by rule.
    select rfm_segment, min(description) as description
    from {{ ref('rfm_segment_map') }}
    where recency_score_min is null
    group by rfm_segment

)

select
    segmented.customer_id,
    segmented.recency_score,
    segmented.frequency_score,
    segmented.monetary_score,
    segmented.fm_score,
    {{ dbt.concat([
        cast_or_null('segmented.recency_score', dbt.type_string()),
        cast_or_null('segmented.frequency_score', dbt.type_string()),
        cast_or_null('segmented.monetary_score', dbt.type_string()),
    ]) }} as rfm_cell,
    coalesce(segmented.rule_segment, segmented.map_segment) as rfm_segment,
    case
        when segmented.rule_segment is not null then rule_descriptions.description
        else segmented.map_description
    end as rfm_segment_description
from segmented
left join rule_descriptions on segmented.rule_segment = rule_descriptions.rfm_segment
