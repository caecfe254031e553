{#-
    RFM scores and segment of every accepted customer, from the features
    alone (published with the customer's cluster segment in customer_rfm).
    Built before any fit, so the three rank sorts over all customers run
    beside the clustering rather than at the end of the build.
    Each of recency, frequency and monetary is scored 1-5 by quintile of rank,
    5 best (most recent, most orders, most revenue):
        score = 1 + floor(5 * (rank - 1) / customers)
    where rank is SQL rank(): customers with the same value share a rank and
    so a score, and the result does not depend on row order. Customers
    without a purchase are scored like everyone else on their features
    (recency from signup, frequency and monetary 0), so a fresh sign-up reads
    as new and an old one as lost. The frequency-monetary score is the mean
    of F and M rounded half up; the named segment comes from the seed
    rfm_segment_map (recency score x frequency-monetary score ranges), which a
    team can edit.
-#}

with

customers as (

    -- Typed and rounded as dim_customer_segments shows them, so the ranks
    -- are those of the values an analyst sees.
    select
        customer_id,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        round(monetary, 2) as monetary
    from {{ ref('int_customer_features') }}

),

ranked as (

    select
        *,
        count(*) over () as customers,
        -- Unknown recency counts as the least recent.
        rank() over (order by recency_days desc nulls first) as recency_rank,
        rank() over (order by frequency) as frequency_rank,
        rank() over (order by monetary) as monetary_rank
    from customers

),

scored as (

    select
        *,
        cast(1 + floor(5.0 * (recency_rank - 1) / customers) as integer) as recency_score,
        cast(1 + floor(5.0 * (frequency_rank - 1) / customers) as integer) as frequency_score,
        cast(1 + floor(5.0 * (monetary_rank - 1) / customers) as integer) as monetary_score
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

)

select
    with_fm.customer_id,
    with_fm.recency_score,
    with_fm.frequency_score,
    with_fm.monetary_score,
    with_fm.fm_score,
    {{ dbt.concat([
        dbt.safe_cast('with_fm.recency_score', dbt.type_string()),
        dbt.safe_cast('with_fm.frequency_score', dbt.type_string()),
        dbt.safe_cast('with_fm.monetary_score', dbt.type_string()),
    ]) }} as rfm_cell,
    segment_map.rfm_segment,
    segment_map.description as rfm_segment_description
from with_fm
left join segment_map
    on with_fm.recency_score = segment_map.recency_score
    and with_fm.fm_score = segment_map.fm_score
