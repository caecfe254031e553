"""Choosing k: the Kneedle elbow and the four-criteria vote, on hand-made diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmentation.k_selection import (
    CLEAR_ELBOW_RATIO,
    MAX_ACTIONABLE_K,
    SegmentCheck,
    choose_k,
    elbow_sharpness,
    knee_point,
)


def diagnostics(ks, inertia, silhouette, calinski_harabasz, davies_bouldin) -> pd.DataFrame:
    return pd.DataFrame({"k": ks, "inertia": inertia, "silhouette": silhouette,
                         "calinski_harabasz": calinski_harabasz,
                         "davies_bouldin": davies_bouldin})


# k = 2..8 with every criterion pointing at 4.
AGREEING = diagnostics(
    [2, 3, 4, 5, 6, 7, 8],
    [1000, 600, 200, 180, 165, 150, 140],
    [0.50, 0.60, 0.80, 0.55, 0.50, 0.45, 0.40],
    [300, 500, 900, 700, 650, 600, 580],
    [0.90, 0.70, 0.30, 0.60, 0.65, 0.70, 0.72],
)


class TestKneePoint:
    def test_sharp_bend(self):
        assert knee_point(np.array([1, 2, 3, 4, 5]), np.array([100, 40, 20, 15, 12])) == 2

    def test_bend_in_the_middle(self):
        assert knee_point(AGREEING["k"].to_numpy(), AGREEING["inertia"].to_numpy()) == 4

    def test_straight_line_has_no_knee(self):
        assert knee_point(np.arange(2, 8), np.linspace(100, 50, 6)) is None

    def test_rising_curve_has_no_knee(self):
        assert knee_point(np.arange(2, 6), np.array([10, 20, 30, 40])) is None

    def test_flat_curve_has_no_knee(self):
        assert knee_point(np.arange(2, 6), np.full(4, 7.0)) is None

    @pytest.mark.parametrize("n", [0, 1, 2])
    def test_fewer_than_three_points(self, n):
        assert knee_point(np.arange(2, 2 + n), np.linspace(100, 10, n)) is None

    def test_bulging_curve_has_no_knee(self):
        # Concave: it lies above the chord everywhere, there is no elbow.
        assert knee_point(np.arange(1, 6), np.array([100, 98, 94, 80, 0])) is None


class TestChooseK:
    def test_all_criteria_agree(self):
        choice = choose_k(AGREEING)
        assert choice.k == 4
        assert choice.votes == {"elbow": 4, "silhouette": 4, "calinski_harabasz": 4,
                                "davies_bouldin": 4}
        assert "4 of 4 criteria agree" in choice.rule

    def test_row_order_does_not_matter(self):
        shuffled = AGREEING.sample(frac=1.0, random_state=3)
        assert choose_k(shuffled) == choose_k(AGREEING)

    def test_criterion_best_at_largest_k_abstains(self):
        frame = AGREEING.copy()
        frame["silhouette"] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]  # still rising at k=8
        frame["calinski_harabasz"] = [100, 200, 300, 400, 500, 600, 700]
        choice = choose_k(frame)
        assert choice.votes["silhouette"] is None
        assert choice.votes["calinski_harabasz"] is None
        assert "silhouette=abstains" in choice.rule
        assert choice.k == 4  # elbow and Davies-Bouldin still agree
        assert "2 of 4 criteria agree" in choice.rule

    def test_lowest_davies_bouldin_at_largest_k_abstains(self):
        frame = AGREEING.copy()
        frame["davies_bouldin"] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
        assert choose_k(frame).votes["davies_bouldin"] is None

    def test_best_at_smallest_k_abstains(self):
        # A curve that only falls from k=2 found no optimum inside the range.
        frame = AGREEING.copy()
        frame["silhouette"] = [0.9, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
        frame["calinski_harabasz"] = [900, 800, 700, 600, 500, 400, 300]
        frame["davies_bouldin"] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
        choice = choose_k(frame)
        assert choice.votes == {"elbow": 4, "silhouette": None, "calinski_harabasz": None,
                                "davies_bouldin": None}
        assert "calinski_harabasz=abstains" in choice.rule

    @pytest.mark.parametrize("winner", [3, 6])
    def test_tie_broken_by_silhouette(self, winner):
        # elbow votes 3, Calinski-Harabasz votes 6, silhouette and DB abstain
        # (best at k=8): a 1-1 tie that the tied ks' silhouettes decide.
        loser = 6 if winner == 3 else 3
        silhouette = {2: 0.1, 3: 0.2, 4: 0.2, 5: 0.2, 6: 0.2, 7: 0.2, 8: 0.9}
        silhouette[winner], silhouette[loser] = 0.5, 0.3
        frame = diagnostics(
            [2, 3, 4, 5, 6, 7, 8],
            [1000, 200, 180, 160, 140, 120, 100],
            [silhouette[k] for k in range(2, 9)],
            [100, 200, 300, 400, 900, 500, 400],
            [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
        )
        choice = choose_k(frame)
        assert choice.votes == {"elbow": 3, "silhouette": None, "calinski_harabasz": 6,
                                "davies_bouldin": None}
        assert choice.k == winner
        assert "tie between k=3, 6" in choice.rule and "broken by silhouette" in choice.rule

    def test_tie_with_missing_silhouette_prefers_defined_score(self):
        frame = diagnostics([2, 3, 4, 5], [100, 30, 25, 5], [np.nan, 0.2, 0.5, 0.9],
                            [10, 20, 50, 40], [0.5, 0.4, 0.3, 0.2])
        # elbow 3, CH 4, silhouette and DB abstain (k=5): 3 vs 4, silhouette 0.2 < 0.5.
        choice = choose_k(frame)
        assert choice.votes["elbow"] == 3 and choice.votes["calinski_harabasz"] == 4
        assert choice.k == 4

    def test_n_clusters_forces_k(self):
        choice = choose_k(AGREEING, n_clusters=6)
        assert choice.k == 6
        assert choice.rule.startswith("forced by var n_clusters")
        assert choice.votes["silhouette"] == 4  # the vote is still reported

    def test_no_votes_gives_smallest_k(self):
        frame = diagnostics([3, 4, 5, 6], [400, 300, 200, 100],
                            [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [0.9, 0.8, 0.7, 0.6])
        choice = choose_k(frame)
        assert choice.votes == dict.fromkeys(choice.votes, None)
        assert choice.k == 3
        assert "no criterion has an optimum" in choice.rule

    def test_all_scores_missing(self):
        frame = diagnostics([2, 3, 4], [30, 20, 10], [np.nan] * 3, [np.nan] * 3,
                            [np.nan] * 3)
        assert choose_k(frame).k == 2

    def test_two_ks_do_not_abstain(self):
        # With fewer than three ks a best-at-the-top criterion still votes.
        frame = diagnostics([2, 3], [100, 50], [0.3, 0.6], [10, 20], [0.9, 0.5])
        choice = choose_k(frame)
        assert choice.votes["silhouette"] == 3 and choice.votes["elbow"] is None
        assert choice.k == 3

    def test_single_k(self):
        frame = diagnostics([4], [10.0], [0.5], [100.0], [0.4])
        assert choose_k(frame).k == 4


class TestElbowSharpness:
    def test_ratio_of_relative_drops(self):
        # 1000 -> 200 is an 80% drop, 200 -> 180 a 10% drop: 8x sharper.
        assert elbow_sharpness(np.array([3, 4, 5]), np.array([1000.0, 200, 180]), 4) == \
            pytest.approx(8.0)

    def test_needs_both_neighbours(self):
        assert np.isnan(elbow_sharpness(np.array([2, 3, 4]), np.array([9.0, 5, 4]), 4))

    def test_nothing_gained_after_k_is_infinitely_sharp(self):
        assert elbow_sharpness(np.array([1, 2, 3]), np.array([10.0, 1, 1]), 2) == np.inf

    def test_inertia_rising_after_k_is_no_elbow(self):
        # A worse local optimum at k + 1 must not pass for a perfect bend.
        assert np.isnan(elbow_sharpness(np.array([1, 2, 3]), np.array([10.0, 5, 6]), 2))


def gradual(ks=range(2, 11)) -> pd.DataFrame:
    """A continuum, as real customer data: inertia falls steadily, and the three
    score criteria all prefer the smallest k (the case that used to give k = 2)."""
    ks = list(ks)
    return diagnostics(ks, [1000 * 0.8 ** (k - 2) for k in ks],
                       [0.40 - 0.01 * k for k in ks], [900 - 20 * k for k in ks],
                       [0.9 + 0.05 * k for k in ks])


def checks_from(table: dict[int, tuple[float, ...]]):
    """A check_segments stub that records which ks were asked for. Each k
    maps to (ARI, closest centres) with every segment stable (Jaccard 0.9),
    or to (ARI, least stable segment's Jaccard, closest centres)."""
    asked = []

    def check(k: int) -> SegmentCheck:
        asked.append(k)
        ari, jaccard, distance = table[k] if len(table[k]) == 3 else (table[k][0], 0.9,
                                                                       table[k][1])
        return SegmentCheck(k, ari, jaccard, distance)

    return check, asked


class TestClearStructure:
    def test_sharp_elbow_with_agreeing_criteria(self):
        check, asked = checks_from({})
        choice = choose_k(AGREEING, total_sum_of_squares=1200, check_segments=check)
        assert (choice.k, choice.path) == (4, "clear_structure")
        assert choice.sharpness >= CLEAR_ELBOW_RATIO
        assert asked == []  # no bootstrap refits when the structure is clear
        assert choice.rule.startswith("clear structure at k=4: 4 of 4 criteria agree")

    def test_two_planted_groups_found_by_the_elbow_from_k_1(self):
        # Two groups: the score criteria peak at the edge k=2 and abstain; the
        # inertia curve read from k=1 bends sharply at 2.
        frame = diagnostics([2, 3, 4, 5, 6], [100, 90, 82, 75, 70],
                            [0.8, 0.4, 0.3, 0.3, 0.2], [900, 500, 400, 300, 250],
                            [0.3, 0.9, 1.0, 1.1, 1.2])
        check, _ = checks_from({})
        choice = choose_k(frame, total_sum_of_squares=1000, check_segments=check)
        assert (choice.k, choice.path) == (2, "clear_structure")
        assert choice.votes["elbow"] == 2 and choice.votes["silhouette"] is None

    def test_without_the_total_sum_of_squares_k_2_is_no_clear_elbow(self):
        frame = diagnostics([2, 3, 4, 5, 6], [100, 90, 82, 75, 70],
                            [0.8, 0.4, 0.3, 0.3, 0.2], [900, 500, 400, 300, 250],
                            [0.3, 0.9, 1.0, 1.1, 1.2])
        assert choose_k(frame).path != "clear_structure"


class TestNoClearStructure:
    def test_most_granular_stable_and_apart_k(self):
        check, asked = checks_from({8: (0.55, 1.6), 7: (0.83, 0.7), 6: (0.86, 1.4),
                                    5: (0.9, 2.0)})
        choice = choose_k(gradual(), total_sum_of_squares=1250, check_segments=check)
        assert (choice.k, choice.path) == (6, "most_granular_stable")
        # Most granular first, never above the actionable cap, stopping at the first pass.
        assert asked == [MAX_ACTIONABLE_K, 7, 6]
        assert "no clear structure" in choice.rule
        assert ("k=6: ARI 0.86, least stable segment Jaccard 0.90, closest centres 1.40 sd"
                in choice.rule)
        assert "k=8: ARI 0.55" in choice.rule
        assert "k=7: ARI 0.83, least stable segment Jaccard 0.90, closest centres 0.70" \
            in choice.rule
        assert [c.k for c in choice.checks] == [8, 7, 6]

    def test_one_dissolving_segment_fails_a_good_ari(self):
        check, asked = checks_from({8: (0.92, 0.55, 1.6), 7: (0.85, 0.8, 1.5)})
        choice = choose_k(gradual(), total_sum_of_squares=1250, check_segments=check)
        assert (choice.k, asked) == (7, [8, 7])
        assert "every segment's Jaccard >= 0.75" in choice.rule
        assert "k=8: ARI 0.92, least stable segment Jaccard 0.55" in choice.rule

    def test_the_smallest_k_no_longer_wins_a_continuum(self):
        check, _ = checks_from({k: (0.9, 1.5) for k in range(2, 11)})
        choice = choose_k(gradual(), total_sum_of_squares=1250, check_segments=check)
        assert choice.votes["silhouette"] is None
        assert choice.votes["calinski_harabasz"] is None
        assert choice.votes["davies_bouldin"] is None
        assert choice.k == MAX_ACTIONABLE_K

    def test_cap_follows_a_smaller_k_max(self):
        check, asked = checks_from({k: (0.9, 1.5) for k in range(2, 6)})
        choice = choose_k(gradual(range(2, 6)), total_sum_of_squares=1250,
                          check_segments=check)
        assert choice.k == 5 and asked == [5]

    def test_nothing_stable_gives_the_coarsest_and_says_so(self):
        check, asked = checks_from({k: (0.5, 1.5) for k in range(2, 11)})
        choice = choose_k(gradual(), total_sum_of_squares=1250, check_segments=check)
        assert (choice.k, choice.path) == (2, "coarsest")
        assert asked == list(range(MAX_ACTIONABLE_K, 1, -1))
        assert "read its segments as tendencies" in choice.rule

    def test_unmeasurable_stability_does_not_pass(self):
        check, _ = checks_from({k: (float("nan"), 3.0) for k in range(2, 11)})
        assert choose_k(gradual(), total_sum_of_squares=1250, check_segments=check).path \
            == "coarsest"

    def test_forced_k_skips_the_checks(self):
        check, asked = checks_from({})
        choice = choose_k(gradual(), 5, total_sum_of_squares=1250, check_segments=check)
        assert (choice.k, choice.path, asked) == (5, "forced", [])
