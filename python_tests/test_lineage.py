"""Stable segment ids: matching a refit's segments to the previous run's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.lineage import match_segments, match_segments_table

FEATURES = ["recency", "frequency", "monetary"]
CENTRES = np.array([[2.0, -1.0, -1.0], [-1.0, 2.0, 2.0], [0.0, 0.0, -2.0], [-1.5, -1.5, 1.0]])


def _frame(values, ids) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(values, float), index=ids, columns=FEATURES)


def _overlap(pairs: dict[tuple[int, int], int]) -> pd.DataFrame:
    return pd.DataFrame([(old, new, n) for (old, new), n in pairs.items()],
                        columns=["previous_stable_segment_id", "cluster_id", "customers"])


def _by_cluster(matches):
    return {match.cluster_id: match for match in matches}


def test_first_run_keeps_its_own_numbering():
    matches = match_segments(_frame(CENTRES, [1, 2, 3, 4]), None)
    assert [(m.cluster_id, m.stable_segment_id, m.status) for m in matches] == [
        (1, 1, "first_run"), (2, 2, "first_run"), (3, 3, "first_run"), (4, 4, "first_run")]


def test_renumbered_refit_keeps_ids_through_the_permutation():
    previous = _frame(CENTRES, [1, 2, 3, 4])
    rng = np.random.default_rng(0)
    # The refit numbers the same groups 3, 1, 4, 2 and moves them a little.
    refit = _frame(CENTRES + rng.normal(0, 0.1, CENTRES.shape), [3, 1, 4, 2])
    matches = _by_cluster(match_segments(refit, previous, max_issued_id=4))
    assert {cluster: m.stable_segment_id for cluster, m in matches.items()} == {
        3: 1, 1: 2, 4: 3, 2: 4}
    assert all(m.status == "continued" for m in matches.values())
    assert all(m.match_distance < 0.5 for m in matches.values())


def test_a_group_far_from_every_old_one_is_new_and_ids_are_never_recycled():
    previous = _frame(CENTRES[:3], [1, 2, 5])  # id 3 and 4 were issued once and retired
    refit = _frame(np.vstack([CENTRES[:3], [[6.0, 6.0, 6.0]]]), [1, 2, 3, 4])
    matches = _by_cluster(match_segments(refit, previous, max_issued_id=7))
    assert matches[4].status == "new"
    assert matches[4].stable_segment_id == 8
    assert [matches[c].stable_segment_id for c in (1, 2, 3)] == [1, 2, 5]


def test_a_split_retires_the_parent_id():
    previous = _frame(CENTRES[:3], [1, 2, 3])
    # Old segment 1 becomes two groups either side of its centre.
    refit = _frame([CENTRES[0] + 0.4, CENTRES[0] - 0.4, CENTRES[1], CENTRES[2]], [1, 2, 3, 4])
    overlap = _overlap({(1, 1): 50, (1, 2): 50, (2, 3): 100, (3, 4): 100})
    matches = _by_cluster(match_segments(refit, previous, overlap, max_issued_id=3))
    assert matches[1].status == matches[2].status == "split"
    assert {matches[1].stable_segment_id, matches[2].stable_segment_id} == {4, 5}
    assert matches[1].previous_stable_segment_id == 1
    assert (matches[3].stable_segment_id, matches[3].status) == (2, "continued")
    assert (matches[4].stable_segment_id, matches[4].status) == (3, "continued")


def test_a_merge_gets_a_new_id():
    previous = _frame(CENTRES, [1, 2, 3, 4])
    merged_centre = (CENTRES[2] + CENTRES[3]) / 2
    refit = _frame([CENTRES[0], CENTRES[1], merged_centre], [1, 2, 3])
    overlap = _overlap({(1, 1): 100, (2, 2): 100, (3, 3): 60, (4, 3): 40})
    matches = _by_cluster(match_segments(refit, previous, overlap, max_issued_id=4))
    assert (matches[3].status, matches[3].stable_segment_id) == ("merged", 5)
    assert [matches[c].stable_segment_id for c in (1, 2)] == [1, 2]


def test_small_strays_are_not_a_split():
    previous = _frame(CENTRES[:2], [1, 2])
    refit = _frame(CENTRES[:2], [1, 2])
    overlap = _overlap({(1, 1): 90, (1, 2): 10, (2, 2): 95, (2, 1): 5})
    matches = match_segments(refit, previous, overlap, max_issued_id=2)
    assert [m.status for m in matches] == ["continued", "continued"]


def test_a_changed_feature_set_makes_every_segment_new():
    previous = _frame(CENTRES, [1, 2, 3, 4]).drop(columns="monetary")
    matches = match_segments(_frame(CENTRES, [1, 2, 3, 4]), previous, max_issued_id=6)
    assert [(m.stable_segment_id, m.status) for m in matches] == [
        (7, "new"), (8, "new"), (9, "new"), (10, "new")]


def test_the_table_adapter_carries_names_and_types():
    current = pd.DataFrame([(c, f, CENTRES[c - 1][i]) for c in (1, 2)
                            for i, f in enumerate(FEATURES)],
                           columns=["cluster_id", "feature_name", "standardized_value"])
    previous = pd.DataFrame([(s, name, f, CENTRES[c][i])
                             for s, name, c in ((4, "Loyal", 1), (9, "Lapsed", 0))
                             for i, f in enumerate(FEATURES)],
                            columns=["previous_segment_id", "previous_segment_name",
                                     "feature_name", "standardized_value"])
    overlap = pd.DataFrame(columns=["previous_segment_id", "cluster_id", "customers"])
    table = match_segments_table(current, previous, overlap, max_issued_id=9,
                                 max_distance=1.0, min_share=0.25)
    assert table.to_dict("list") == {
        "cluster_id": [1, 2], "stable_segment_id": [9, 4],
        "lineage_status": ["continued", "continued"], "previous_segment_id": [9, 4],
        "previous_segment_name": ["Lapsed", "Loyal"], "match_distance": [0.0, 0.0]}


def test_the_table_adapter_types_a_first_run_without_history():
    current = pd.DataFrame([(1, "recency", 0.5)],
                           columns=["cluster_id", "feature_name", "standardized_value"])
    empty = pd.DataFrame(columns=["previous_segment_id", "previous_segment_name",
                                  "feature_name", "standardized_value"])
    overlap = pd.DataFrame(columns=["previous_segment_id", "cluster_id", "customers"])
    table = match_segments_table(current, empty, overlap, max_issued_id=0,
                                 max_distance=1.0, min_share=0.25)
    assert table.lineage_status.tolist() == ["first_run"]
    assert str(table.previous_segment_name.dtype) == "string"
    assert str(table.match_distance.dtype) == "Float64"



def test_a_missing_coordinate_does_not_crash_the_matching():
    previous = _frame(CENTRES, [1, 2, 3, 4])
    refit = _frame(CENTRES, [1, 2, 3, 4])
    refit.loc[2, "monetary"] = np.nan  # no member of segment 2 had a value
    matches = _by_cluster(match_segments(refit, previous, max_issued_id=4))
    assert [matches[c].stable_segment_id for c in (1, 2, 3, 4)] == [1, 2, 3, 4]


def test_a_previous_run_without_comparable_centres_never_reuses_ids():
    empty = _frame(np.empty((0, 3)), [])
    matches = match_segments(_frame(CENTRES[:2], [1, 2]), empty, max_issued_id=9,
                             has_previous_run=True)
    assert [(m.stable_segment_id, m.status) for m in matches] == [(10, "new"), (11, "new")]


def test_levels_that_come_and_go_do_not_reset_the_ids():
    """One-hot levels and category shares follow the data's top levels."""
    previous = _frame(CENTRES, [1, 2, 3, 4]).assign(country__fr=0.5)
    refit = _frame(CENTRES, [1, 2, 3, 4]).assign(country__de=0.2)
    matches = match_segments(refit, previous, max_issued_id=4)
    assert [(m.stable_segment_id, m.status) for m in matches] == [
        (1, "continued"), (2, "continued"), (3, "continued"), (4, "continued")]


def test_score_mode_carries_the_fits_ids_by_cluster_index():
    current = pd.DataFrame([(c, idx, f, CENTRES[c - 1][i]) for c, idx in ((1, 3), (2, 1), (3, 2))
                            for i, f in enumerate(FEATURES)],
                           columns=["cluster_id", "cluster_index", "feature_name",
                                    "standardized_value"])
    fitted = pd.DataFrame({"previous_segment_id": [7, 8], "previous_segment_name": ["A", "B"],
                           "previous_cluster_index": [1, 3]})
    empty = pd.DataFrame(columns=["previous_segment_id", "previous_segment_name",
                                  "feature_name", "standardized_value"])
    overlap = pd.DataFrame(columns=["previous_segment_id", "cluster_id", "customers"])
    table = match_segments_table(current, empty, overlap, max_issued_id=8, max_distance=1.0,
                                 min_share=0.25, carry_by_index=True, fitted=fitted)
    assert table[["cluster_id", "stable_segment_id", "lineage_status"]].values.tolist() == [
        [1, 8, "continued"], [2, 7, "continued"], [3, 9, "new"]]
    assert table.previous_segment_name.tolist()[:2] == ["B", "A"]
    assert table.previous_segment_name.isna().tolist()[2]
