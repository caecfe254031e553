"""Stable segment ids across refits: which new segment continues which old one.

A refit numbers its clusters afresh. To keep a segment's id and name while it
stays the same kind of group, the new centroids are matched to the previous
run's by minimum-cost assignment (Hungarian algorithm) on centroid distance.
The dbt models give centres as the members' means in business units divided
by the current run's population standard deviation, so a refit that
transforms a feature differently (log or not) does not move them. Customer overlap
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
    has_previous_run: bool | None = None,
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
    has_previous_run: whether an earlier run exists (default: whether
        previous_centroids has rows). A previous run without comparable
        centres makes every segment new, never a first run that would reuse
        ids 1..k.

    Features are compared by their base name: inputs named
    ``<feature>__<level>`` (one-hot levels, category shares) may come and go
    between runs as the data's top levels change, and the segments are matched
    on the inputs both runs have. A base feature added or removed makes every
    segment new: segments on other features are other segments.
    """
    new_ids = [int(value) for value in new_centroids.index]
    previous_missing = previous_centroids is None or previous_centroids.empty
    if has_previous_run is None:
        has_previous_run = not previous_missing
    if not has_previous_run:
        return [SegmentMatch(cluster_id, cluster_id, "first_run", None, None)
                for cluster_id in new_ids]
    old_ids = [] if previous_missing else [int(value) for value in previous_centroids.index]
    next_id = max([max_issued_id, *old_ids, 0]) + 1
    shared = ([] if previous_missing else
              [column for column in new_centroids.columns if column in previous_centroids.columns])
    if previous_missing or _base_features(new_centroids.columns) != _base_features(
            previous_centroids.columns) or not shared:
        return [SegmentMatch(cluster_id, next_id + offset, "new", None, None)
                for offset, cluster_id in enumerate(sorted(new_ids))]
    distances = _distances(new_centroids[shared].to_numpy(float),
                           previous_centroids[shared].to_numpy(float))
    rows, cols = linear_sum_assignment(distances)
    assigned = {new_ids[row]: (old_ids[col], float(distances[row, col]))
                for row, col in zip(rows, cols, strict=True)}

    split_parents, merged_children = _splits_and_merges(overlap, min_share)
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


def _base_features(columns) -> set[str]:
    return {str(column).split("__")[0] for column in columns}


def _distances(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Euclidean distance of every new centroid (rows) to every old one (columns);
    a coordinate missing on either side (no member had a value) counts as no gap."""
    gaps = np.nan_to_num(new[:, None, :] - old[None, :, :], nan=0.0)
    return np.sqrt((gaps ** 2).sum(axis=2))


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


def match_segments_table(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    overlap: pd.DataFrame,
    *,
    max_issued_id: int,
    max_distance: float,
    min_share: float,
    carry_by_index: bool = False,
    has_previous_run: bool | None = None,
    fitted: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """match_segments() over the long tables the dbt models provide.

    carry_by_index (score mode: the model was not refitted): a cluster keeps
    the id its cluster_index had when the model was fitted (``fitted``:
    previous_segment_id, previous_segment_name, previous_cluster_index, from
    the fit's run), distance aside; a cluster the fit did not name gets a new
    id.

    current: (cluster_id, feature_name, standardized_value), this run.
    previous: (previous_segment_id, previous_segment_name, feature_name,
        standardized_value), the previous run in this run's units; empty on a
        first run.
    overlap: (previous_segment_id, cluster_id, customers).
    Returns one row per current segment: cluster_id, stable_segment_id,
    lineage_status, previous_segment_id, previous_segment_name, match_distance.
    """
    new_centroids = current.pivot(index="cluster_id", columns="feature_name",
                                  values="standardized_value").sort_index()
    previous_centroids = None
    names: dict[int, str] = {}
    if not previous.empty:
        previous_centroids = previous.pivot(index="previous_segment_id", columns="feature_name",
                                            values="standardized_value").sort_index()
        names = dict(zip(previous.previous_segment_id.astype(int),
                         previous.previous_segment_name, strict=True))
    overlap = overlap.rename(columns={"previous_segment_id": "previous_stable_segment_id"})
    if carry_by_index and fitted is not None and not fitted.empty:
        names.update(zip(fitted.previous_segment_id.astype(int),
                         fitted.previous_segment_name, strict=True))
        matches = _carry_by_index(current, fitted, new_centroids, previous_centroids,
                                  max_issued_id)
    else:
        matches = match_segments(new_centroids, previous_centroids, overlap,
                                 max_distance=max_distance, min_share=min_share,
                                 max_issued_id=max_issued_id,
                                 has_previous_run=has_previous_run)
    return pd.DataFrame({
        "cluster_id": pd.array([m.cluster_id for m in matches], dtype="int32"),
        "stable_segment_id": pd.array([m.stable_segment_id for m in matches], dtype="int32"),
        "lineage_status": [m.status for m in matches],
        "previous_segment_id": pd.array([m.previous_stable_segment_id for m in matches],
                                        dtype="Int32"),
        # Typed even when all null (a first run), so the table's columns are
        # text and double rather than DuckDB's NULL type.
        "previous_segment_name": pd.array(
            [names.get(m.previous_stable_segment_id) for m in matches], dtype="string"),
        "match_distance": pd.array([m.match_distance for m in matches], dtype="Float64"),
    })


def _carry_by_index(current: pd.DataFrame, fitted: pd.DataFrame,
                    new_centroids: pd.DataFrame, previous_centroids: pd.DataFrame | None,
                    max_issued_id: int) -> list[SegmentMatch]:
    """Score mode: the same fitted clusters, so ids follow the fit's cluster index."""
    index_of = current.drop_duplicates("cluster_id").set_index("cluster_id").cluster_index
    fitted_by_index = (fitted.drop_duplicates("previous_segment_id")
                       .set_index("previous_cluster_index").previous_segment_id)
    next_id = max([max_issued_id, *fitted_by_index.astype(int).tolist(), 0]) + 1
    matches = []
    for cluster_id in sorted(int(value) for value in new_centroids.index):
        fitted_index = index_of.get(cluster_id)
        if fitted_index in fitted_by_index.index:
            stable = int(fitted_by_index[fitted_index])
            distance = None
            if previous_centroids is not None and stable in previous_centroids.index:
                shared = [c for c in new_centroids.columns if c in previous_centroids.columns]
                gap = np.nan_to_num((new_centroids.loc[cluster_id, shared]
                                     - previous_centroids.loc[stable, shared]).to_numpy(float))
                distance = float(np.sqrt((gap ** 2).sum()))
            matches.append(SegmentMatch(cluster_id, stable, "continued", stable, distance))
        else:
            matches.append(SegmentMatch(cluster_id, next_id, "new", None, None))
            next_id += 1
    return matches
