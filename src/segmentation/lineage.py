"""Stable segment ids across refits: which new segment continues which old one.

A refit numbers its clusters afresh. To keep a segment's id and name while it
stays the same kind of group, the new centroids are matched to the previous
run's by minimum-cost assignment (Hungarian algorithm) on centroid distance,
both expressed in the current run's standardized units. Customer overlap
between the runs then tells a continuation from a split or a merge:

- continued: matched within ``max_distance``, and neither side split or merged;
  keeps the previous stable id;
- split: the previous segment sent at least ``min_share`` of its customers to
  two or more new segments; every such child gets a new id;
- merged: the new segment took at least ``min_share`` of its customers from two
  or more previous segments; it gets a new id;
- new: no previous segment within reach; a new id.

New ids continue after the largest id ever issued, so an id is never recycled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

STATUSES = ("first_run", "continued", "split", "merged", "new")


@dataclass(frozen=True)
class SegmentMatch:
    """One new segment's place in the lineage."""

    cluster_id: int  # the run's own numbering (ml_cluster_numbering)
    stable_segment_id: int
    status: str
    previous_stable_segment_id: int | None  # the best-matching previous segment
    match_distance: float | None


def match_segments(
    new_centroids: pd.DataFrame,
    previous_centroids: pd.DataFrame | None,
    overlap: pd.DataFrame | None = None,
    *,
    max_distance: float = 1.0,
    min_share: float = 0.25,
    max_issued_id: int = 0,
) -> list[SegmentMatch]:
    """Match this run's segments to the previous run's.

    new_centroids: index = cluster_id of this run, columns = features (this
        run's standardized units).
    previous_centroids: index = stable_segment_id of the previous run, same
        columns, already re-expressed in this run's units; None or empty on
        the first run.
    overlap: customers present in both runs, columns
        (previous_stable_segment_id, cluster_id, customers); optional.
    max_issued_id: the largest stable id any earlier run issued.
    """
    new_ids = [int(value) for value in new_centroids.index]
    if previous_centroids is None or previous_centroids.empty:
        return [SegmentMatch(cluster_id, cluster_id, "first_run", None, None)
                for cluster_id in new_ids]
    columns = list(new_centroids.columns)
    missing = [column for column in columns if column not in previous_centroids.columns]
    if missing:
        raise ValueError(
            f"previous centroids lack the features {missing}: the feature set changed, so "
            "segments cannot be matched; every segment is new")
    old_ids = [int(value) for value in previous_centroids.index]
    distances = _distances(new_centroids[columns].to_numpy(float),
                           previous_centroids[columns].to_numpy(float))
    rows, cols = linear_sum_assignment(distances)
    assigned = {new_ids[row]: (old_ids[col], float(distances[row, col]))
                for row, col in zip(rows, cols, strict=True)}

    split_parents, merged_children = _splits_and_merges(overlap, min_share)
    next_id = max([max_issued_id, *old_ids, 0]) + 1
    matches = []
    # Deterministic: new ids are issued in this run's cluster order.
    for cluster_id in sorted(new_ids):
        nearest = int(np.argmin(distances[new_ids.index(cluster_id)]))
        previous, distance = assigned.get(cluster_id, (old_ids[nearest],
                                                       float(distances[new_ids.index(cluster_id),
                                                                       nearest])))
        if cluster_id in merged_children:
            status = "merged"
        elif previous in split_parents:
            # A segment that split retires its id: its children, and anything
            # else nearest to it, are new.
            status = "split" if _is_child(overlap, previous, cluster_id, min_share) else "new"
        elif cluster_id in assigned and distance <= max_distance:
            status = "continued"
        else:
            status = "new"
        if status == "continued":
            matches.append(SegmentMatch(cluster_id, previous, status, previous, distance))
        else:
            matches.append(SegmentMatch(cluster_id, next_id, status, previous, distance))
            next_id += 1
    return matches


def _distances(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Euclidean distance of every new centroid (rows) to every old one (columns)."""
    return np.sqrt(((new[:, None, :] - old[None, :, :]) ** 2).sum(axis=2))


def _splits_and_merges(overlap: pd.DataFrame | None, min_share: float) -> tuple[set, set]:
    if overlap is None or overlap.empty:
        return set(), set()
    frame = overlap.copy()
    frame["out_share"] = frame.customers / frame.groupby(
        "previous_stable_segment_id").customers.transform("sum")
    frame["in_share"] = frame.customers / frame.groupby("cluster_id").customers.transform("sum")
    out_counts = frame[frame.out_share >= min_share].groupby("previous_stable_segment_id").size()
    in_counts = frame[frame.in_share >= min_share].groupby("cluster_id").size()
    return ({int(value) for value in out_counts[out_counts >= 2].index},
            {int(value) for value in in_counts[in_counts >= 2].index})


def _is_child(overlap: pd.DataFrame, previous: int, cluster_id: int, min_share: float) -> bool:
    """True when `cluster_id` took at least min_share of `previous`'s customers."""
    parent = overlap[overlap.previous_stable_segment_id == previous]
    total = parent.customers.sum()
    taken = parent[parent.cluster_id == cluster_id].customers.sum()
    return total > 0 and taken / total >= min_share
