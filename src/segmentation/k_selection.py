"""Choosing the number of clusters: clear structure first, else the most granular stable k.

Two paths, tried in order (``choose_k``):

1. **Clear structure.** Four criteria vote: the elbow of inertia, the highest
   silhouette, the highest Calinski-Harabasz, the lowest Davies-Bouldin. A
   criterion whose best k lies at either edge of the range has found no
   optimum inside it (its curve only rises or only falls) and abstains. The
   elbow reads the inertia curve from k = 1 (the total sum of squares), so a
   true two-group split is an interior bend, not an edge. The vote's winner
   is taken when the inertia curve bends sharply there: the relative drop in
   inertia into the winner is at least ``CLEAR_ELBOW_RATIO`` times the drop
   out of it. Planted groups bend 5-15 times more; continuous customer data
   (real exports) 1-2.5 times.
2. **No clear structure.** Customers form a continuum, and any k is a way of
   cutting it. A marketer then wants the most granular cut that is still
   real: the largest k up to ``MAX_ACTIONABLE_K`` whose segments come back
   when refitted on bootstrap samples, as a whole (mean adjusted Rand index
   at least ``STABLE_ARI``) and each one of them (its mean Jaccard overlap
   with the most similar refitted segment at least ``STABLE_SEGMENT_JACCARD``:
   a good overall ARI can hide one segment that dissolves), and whose
   centres are apart (every two at least ``MIN_CENTRE_DISTANCE`` standard
   deviations in model units).

``n_clusters`` overrides both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin")

# Inertia must fall this many times more (relatively) into the chosen k than
# out of it for the structure to count as clear.
CLEAR_ELBOW_RATIO = 3.0
# Mean bootstrap ARI at which segments count as stable (cluster-stability
# practice: 0.75-0.85 is "stable", below 0.6 the clusters dissolve).
STABLE_ARI = 0.8
# Mean bootstrap Jaccard every single segment must reach (Hennig 2007,
# "Cluster-wise assessment of cluster stability": above 0.75 a cluster is
# valid and stable, 0.6-0.75 a pattern, below 0.5 it dissolves).
STABLE_SEGMENT_JACCARD = 0.75
# Every two segment centres at least this far apart, in standardized units
# (the yard stick of var segment_match_max_distance).
MIN_CENTRE_DISTANCE = 1.0
# More segments than this are more than a marketing team runs campaigns for.
MAX_ACTIONABLE_K = 8


def knee_point(ks: np.ndarray, inertias: np.ndarray) -> int | None:
    """The elbow of a decreasing inertia curve (the Kneedle rule).

    Both axes are scaled to [0, 1]; the knee is the k whose point lies
    furthest below the straight line from the first to the last point, i.e.
    where adding clusters stops paying off. Returns None when the curve has
    fewer than three points or no bend (a straight or rising line).
    """
    ks = np.asarray(ks, dtype=float)
    inertias = np.asarray(inertias, dtype=float)
    if ks.size < 3 or inertias[0] <= inertias[-1]:
        return None
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (inertias - inertias[-1]) / (inertias[0] - inertias[-1])
    # On the normalized decreasing curve the chord is y = 1 - x; the knee is
    # the point furthest below it (the curve bends towards the origin).
    gap = (1.0 - x) - y
    best = int(np.argmax(gap))
    if gap[best] <= 1e-9:
        return None
    return int(ks[best])


def elbow_sharpness(ks: np.ndarray, inertias: np.ndarray, k: int) -> float:
    """How sharply inertia bends at ``k``: the relative drop from k - 1 to k
    divided by the relative drop from k to k + 1.

    NaN when k - 1 or k + 1 is not on the curve, or when inertia rises
    after k (a fit stuck in a worse local optimum says nothing about a bend);
    infinite when nothing at all is gained after k (the data has exactly k
    distinct profiles).
    """
    curve = dict(zip(np.asarray(ks, dtype=int).tolist(),
                     np.asarray(inertias, dtype=float).tolist(), strict=True))
    if k - 1 not in curve or k + 1 not in curve or curve[k - 1] <= 0:
        return float("nan")
    into = (curve[k - 1] - curve[k]) / curve[k - 1]
    out_of = (curve[k] - curve[k + 1]) / curve[k] if curve[k] > 0 else 0.0
    if out_of < 0 or into <= 0:
        return float("nan")
    if out_of == 0:
        return float("inf")
    return float(into / out_of)


@dataclass(frozen=True)
class SegmentCheck:
    """Whether the segments at one k are real enough to run campaigns on."""

    k: int
    stability_ari: float  # mean bootstrap adjusted Rand index; NaN: too few rows to judge
    min_segment_jaccard: float  # the least stable segment's mean bootstrap Jaccard
    min_centre_distance: float  # closest two centres, standardized units

    @property
    def passes(self) -> bool:
        return bool(self.stability_ari >= STABLE_ARI
                    and self.min_segment_jaccard >= STABLE_SEGMENT_JACCARD
                    and self.min_centre_distance >= MIN_CENTRE_DISTANCE)

    def describe(self) -> str:
        return (f"k={self.k}: ARI {self.stability_ari:.2f}, least stable segment Jaccard "
                f"{self.min_segment_jaccard:.2f}, closest centres "
                f"{self.min_centre_distance:.2f} sd")


@dataclass(frozen=True)
class KChoice:
    """The chosen k and a readable account of how it was chosen.

    ``path`` is ``forced``, ``clear_structure``, ``most_granular_stable``,
    ``coarsest`` (no k passed the granular checks) or ``vote`` (no checks
    were available: the vote's winner); ``checks`` holds the
    granular checks that were run, most granular first.
    """

    k: int
    rule: str
    votes: dict[str, int | None]
    path: str
    sharpness: float = float("nan")
    checks: tuple[SegmentCheck, ...] = ()


def criterion_votes(frame: pd.DataFrame, total_sum_of_squares: float | None) -> dict:
    """Each criterion's k, or None where it abstains (see the module docstring).

    ``frame`` is sorted by k; ``total_sum_of_squares`` is the inertia at k = 1,
    used by the elbow when the range starts at 2.
    """
    ks, inertias = _inertia_curve(frame, total_sum_of_squares)
    votes: dict[str, int | None] = {
        "elbow": knee_point(ks, inertias),
        "silhouette": _best(frame, "silhouette", highest=True),
        "calinski_harabasz": _best(frame, "calinski_harabasz", highest=True),
        "davies_bouldin": _best(frame, "davies_bouldin", highest=False),
    }
    if len(frame) >= 3:
        edges = {int(frame["k"].min()), int(frame["k"].max())}
        for name in ("silhouette", "calinski_harabasz", "davies_bouldin"):
            if votes[name] in edges:
                votes[name] = None
    return votes


def choose_k(
    diagnostics: pd.DataFrame,
    n_clusters: int | None = None,
    *,
    total_sum_of_squares: float | None = None,
    check_segments: Callable[[int], SegmentCheck] | None = None,
) -> KChoice:
    """Choose k from per-k diagnostics (see the module docstring for the rules).

    ``diagnostics`` has one row per k with columns ``k``, ``inertia``,
    ``silhouette``, ``calinski_harabasz`` and ``davies_bouldin``.
    ``check_segments(k)`` measures the stability and separation of the
    segments at k; it is called only on the granular path, most granular k
    first, until one passes. Without it, the granular path is skipped and the
    vote's winner (or the smallest k) is taken.
    """
    frame = diagnostics.sort_values("k").reset_index(drop=True)
    votes = criterion_votes(frame, total_sum_of_squares)
    described = ", ".join(
        f"{name}={k if k is not None else 'abstains'}" for name, k in votes.items()
    )
    if n_clusters is not None:
        return KChoice(int(n_clusters), f"forced by var n_clusters ({described})", votes,
                       "forced")
    winner, agreement = _vote(frame, votes)
    ks, inertias = _inertia_curve(frame, total_sum_of_squares)
    sharpness = elbow_sharpness(ks, inertias, winner) if winner is not None else float("nan")
    if winner is not None and sharpness >= CLEAR_ELBOW_RATIO:
        rule = (f"clear structure at k={winner}: {agreement}, and inertia falls "
                f"{_ratio(sharpness)} more into k={winner} than out of it "
                f"(clear needs {CLEAR_ELBOW_RATIO:g}x; {described})")
        return KChoice(winner, rule, votes, "clear_structure", sharpness)
    if winner is None:
        unclear = "no criterion has an optimum inside the range"
    else:
        unclear = (f"the best candidate k={winner} ({agreement}) is no sharp elbow: inertia "
                   f"falls only {_ratio(sharpness)} more into it than out of it, clear needs "
                   f"{CLEAR_ELBOW_RATIO:g}x")
    if check_segments is None:
        k = winner if winner is not None else int(frame["k"].iloc[0])
        return KChoice(k, f"no clear structure ({unclear}; {described}); k={k}", votes,
                       "vote", sharpness)
    upper = min(int(frame["k"].max()), MAX_ACTIONABLE_K)
    candidates = [int(k) for k in frame["k"] if k <= upper][::-1]
    checks = []
    for k in candidates:
        check = check_segments(k)
        checks.append(check)
        if check.passes:
            tried = "; ".join(c.describe() for c in checks[:-1])
            rule = (f"no clear structure ({unclear}; {described}); chose the most granular k up "
                    f"to {upper} whose segments are stable ({_stable_needs()}) and "
                    f"apart (closest centres >= {MIN_CENTRE_DISTANCE:g} sd): {check.describe()}"
                    + (f" (more granular failed: {tried})" if tried else ""))
            return KChoice(k, rule, votes, "most_granular_stable", sharpness, tuple(checks))
    k = int(frame["k"].iloc[0])
    tried = "; ".join(c.describe() for c in checks)
    rule = (f"no clear structure ({unclear}; {described}); no k up to {upper} gave stable "
            f"({_stable_needs()}), apart (closest centres >= "
            f"{MIN_CENTRE_DISTANCE:g} sd) segments ({tried}), so the coarsest, k={k}: read "
            f"its segments as tendencies, not groups")
    return KChoice(k, rule, votes, "coarsest", sharpness, tuple(checks))


def _stable_needs() -> str:
    return (f"bootstrap ARI >= {STABLE_ARI:g}, every segment's Jaccard >= "
            f"{STABLE_SEGMENT_JACCARD:g}")


def _vote(frame: pd.DataFrame, votes: dict[str, int | None]) -> tuple[int | None, str]:
    """The k with the most votes (ties: the highest silhouette), and how many agreed."""
    counts: dict[int, int] = {}
    for k in votes.values():
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    if not counts:
        return None, "no votes"
    most = max(counts.values())
    tied = sorted(k for k, count in counts.items() if count == most)
    if len(tied) == 1:
        return tied[0], f"{most} of 4 criteria agree"
    silhouettes = frame.set_index("k")["silhouette"]
    k = max(tied, key=lambda c: (np.nan_to_num(silhouettes[c], nan=-2.0), -c))
    return int(k), (f"tie between k={', '.join(map(str, tied))} with {most} vote(s) each, "
                    f"broken by silhouette")


def _inertia_curve(
    frame: pd.DataFrame, total_sum_of_squares: float | None
) -> tuple[np.ndarray, np.ndarray]:
    ks = frame["k"].to_numpy(dtype=int)
    inertias = frame["inertia"].to_numpy(dtype=float)
    if total_sum_of_squares is not None and ks.size and ks[0] == 2:
        ks = np.concatenate([[1], ks])
        inertias = np.concatenate([[float(total_sum_of_squares)], inertias])
    return ks, inertias


def _ratio(value: float) -> str:
    if np.isnan(value):
        return "an unknown factor"
    if np.isinf(value):
        return "infinitely"
    return f"{value:.1f}x"


def _best(frame: pd.DataFrame, column: str, *, highest: bool) -> int | None:
    scores = frame[column].to_numpy(dtype=float)
    if np.isnan(scores).all():
        return None
    index = int(np.nanargmax(scores) if highest else np.nanargmin(scores))
    return int(frame["k"].iloc[index])
