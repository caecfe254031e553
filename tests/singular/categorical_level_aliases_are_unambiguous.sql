-- Each spelling key (case and whitespace ignored, macro level_key) of an
-- attribute in the seed categorical_level_aliases must mean one level: 'UK'
-- listed as United Kingdom and 'uk ' as Ukraine would leave the level to
-- chance. Returns the keys with two or more levels.
select
    attribute,
    {{ level_key('alias') }} as alias_key,
    count(distinct level) as levels
from {{ ref('categorical_level_aliases') }}
group by attribute, {{ level_key('alias') }}
having count(distinct level) > 1
