"""One short readable rule per segment, from a surrogate decision tree."""

from segmentation.fit import required_int, segment_rules


def model(dbt, session):
    sample = dbt.ref("ml_segment_rule_sample").order("customer_id").to_arrow_table()
    return segment_rules(
        sample,
        max_depth=required_int(dbt.config.get("rule_max_depth"), "rule_max_depth"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    )
