"""This run's segments matched to the previous run's: stable ids, splits, merges."""

from segmentation.fit import match_segments_table, model_result, optional_float, to_pandas


def model(dbt, session):
    current = to_pandas(dbt.ref("ml_run_segment_centroids"), ["cluster_id", "feature_name"])
    previous = to_pandas(dbt.ref("ml_previous_segments"), ["previous_segment_id", "feature_name"])
    overlap = to_pandas(dbt.ref("ml_segment_overlap"), ["previous_segment_id", "cluster_id"])
    previous_run = to_pandas(dbt.ref("ml_previous_run"))
    fitted = to_pandas(dbt.ref("ml_fitted_segments"), ["previous_segment_id"])
    max_issued = previous_run["max_issued_segment_id"]
    mode = dbt.config.get("mode")
    return model_result(match_segments_table(
        current,
        previous,
        overlap,
        max_issued_id=int(max_issued.iloc[0]) if len(max_issued) else 0,
        max_distance=optional_float(dbt.config.get("segment_match_max_distance")),
        min_share=optional_float(dbt.config.get("segment_split_min_share")),
        has_previous_run=len(previous_run) > 0,
        # Scoring reuses the fitted clusters: ids follow the fit's cluster index.
        carry_by_index=mode == "score",
        fitted=fitted,
    ), session)
