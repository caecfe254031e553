"""One short readable rule per segment, from a surrogate decision tree."""

from segmentation.fit import model_result, required_int, segment_rules, to_arrow


def model(dbt, session):
    sample = to_arrow(dbt.ref("ml_segment_rule_sample"), ["customer_id"])
    return model_result(segment_rules(
        sample,
        max_depth=required_int(dbt.config.get("rule_max_depth"), "rule_max_depth"),
        random_state=required_int(dbt.config.get("random_seed"), "random_seed"),
    ), session)
