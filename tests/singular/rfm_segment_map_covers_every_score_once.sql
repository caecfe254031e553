-- Every (recency score, frequency-monetary score) cell from 1-5 x 1-5 must
-- fall in exactly one row of the seed rfm_segment_map, or some customers
-- would get no RFM segment (or two). Returns the cells that do not.
with

scores as (

    select 1 as score union all select 2 union all select 3 union all select 4 union all select 5

),

cells as (

    select recency.score as recency_score, fm.score as fm_score
    from scores as recency
    cross join scores as fm

)

select
    cells.recency_score,
    cells.fm_score,
    count(segment_map.rfm_segment) as matching_rows
from cells
left join {{ ref('rfm_segment_map') }} as segment_map
    on cells.recency_score between segment_map.recency_score_min and segment_map.recency_score_max
    and cells.fm_score between segment_map.fm_score_min and segment_map.fm_score_max
group by cells.recency_score, cells.fm_score
having count(segment_map.rfm_segment) <> 1
