{% macro driver_counts(feature_name, direction, difference) %}
    {#-
        Whether a segment's deviation on a feature is large enough to name
        it and to choose its action, given that the claim the word makes holds
        for most members (ml_segment_member_claims): at least
        var('segment_name_min_deviation') sd from the population, that way.
        A claim about each member's own state (recency: overdue or within
        their rhythm; tenure low: new) is the evidence itself, so the segment
        need only lean that way: where most customers have lapsed, a segment
        of all-overdue customers can sit under half a standard deviation from
        the population and must still read "Lapsed" and get a win-back action.
        Arguments are SQL expressions; names and archetypes both use this,
        so a name and its action never disagree.
    -#}
    {%- set min_deviation = checked_var('segment_name_min_deviation') %}
    (
        (
            ({{ feature_name }} = 'recency_days'
             or ({{ feature_name }} = 'tenure_days' and {{ direction }} = 'low'))
            and (
                ({{ direction }} = 'high' and {{ difference }} > 0)
                or ({{ direction }} = 'low' and {{ difference }} < 0)
            )
        )
        or ({{ direction }} = 'high' and {{ difference }} >= {{ min_deviation }})
        or ({{ direction }} = 'low' and {{ difference }} <= -{{ min_deviation }})
    )
{%- endmacro %}
