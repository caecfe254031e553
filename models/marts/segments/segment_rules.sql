{#-
    One short readable rule per segment of the primary method, e.g.
    "recency_days <= 30 and frequency >= 12": the best leaf of a shallow
    decision tree fitted to tell the segment's customers from the rest, on the
    clustering features in business units (ml_segment_rules). precision and
    coverage say how well it describes the segment, measured on the fit sample.
    The No Purchase Yet group is defined by a rule, so its rule is exact:
    "frequency = 0", over every customer of the run.
-#}

with

not_clustered as (

    select count(*) as customers
    from {{ ref('int_customer_features') }}
    where not is_clustered

)


select
    cast(rules.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(rules.rule as {{ dbt.type_string() }}) as rule,
    cast(rules.rule_conditions as {{ dbt.type_string() }}) as rule_conditions,
    cast(rules.conditions as integer) as conditions,
    cast(round(rules.precision, 6) as double) as rule_precision,
    cast(round(rules.coverage, 6) as double) as rule_coverage,
    cast(rules.matched_customers as integer) as matched_customers,
    cast(rules.segment_customers as integer) as segment_customers,
    cast(rules.fit_customers as integer) as fit_customers
from {{ ref('ml_segment_rules') }} as rules
inner join {{ ref('ml_segment_names') }} as names on rules.segment_id = names.segment_id

union all

select
    cast(names.segment_id as integer) as segment_id,
    cast(names.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast('frequency = 0' as {{ dbt.type_string() }}) as rule,
    cast('[{"feature": "frequency", "operator": "=", "threshold": 0}]' as {{ dbt.type_string() }})
        as rule_conditions,
    cast(1 as integer) as conditions,
    cast(1.0 as double) as rule_precision,
    cast(1.0 as double) as rule_coverage,
    cast(not_clustered.customers as integer) as matched_customers,
    cast(not_clustered.customers as integer) as segment_customers,
    cast(null as integer) as fit_customers
from {{ ref('ml_segment_names') }} as names
cross join not_clustered
where names.segment_id = {{ no_purchase_segment_id() }}
