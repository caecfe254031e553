"""Choosing the number of clusters from several criteria at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CRITERIA = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin")


def knee_point(ks: np.ndarray, inertias: np.ndarray) -> int | None:
    """The elbow of a decreasing inertia curve (the Kneedle rule).

    Both axes are scaled to [0, 1]; the knee is the k whose point lies
    furthest above the straight line from the first to the last point, i.e.
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


@dataclass(frozen=True)
class KChoice:
    """The chosen k and a readable account of how it was chosen."""

    k: int
    rule: str
    votes: dict[str, int | None]


def choose_k(diagnostics: pd.DataFrame, n_clusters: int | None = None) -> KChoice:
    """Choose k from per-k diagnostics by a vote of four criteria.

    ``diagnostics`` has one row per k with columns ``k``, ``inertia``,
    ``silhouette``, ``calinski_harabasz`` and ``davies_bouldin``. Each
    criterion votes for one k: the elbow of inertia, the highest silhouette,
    the highest Calinski-Harabasz, the lowest Davies-Bouldin. A criterion
    whose best k is the largest k tried has found no optimum inside the range
    (its curve is still improving) and abstains. The k with the most votes
    wins; a tie goes to the tied k with the highest silhouette
    (the one criterion that rewards both compact and separated clusters).
    ``n_clusters`` overrides the vote.
    """
    frame = diagnostics.sort_values("k").reset_index(drop=True)
    votes: dict[str, int | None] = {
        "elbow": knee_point(frame["k"].to_numpy(), frame["inertia"].to_numpy()),
        "silhouette": _best(frame, "silhouette", highest=True),
        "calinski_harabasz": _best(frame, "calinski_harabasz", highest=True),
        "davies_bouldin": _best(frame, "davies_bouldin", highest=False),
    }
    largest = int(frame["k"].max())
    if len(frame) >= 3:
        for name in ("silhouette", "calinski_harabasz", "davies_bouldin"):
            if votes[name] == largest:
                votes[name] = None
    described = ", ".join(
        f"{name}={k if k is not None else 'abstains'}" for name, k in votes.items()
    )
    if n_clusters is not None:
        return KChoice(int(n_clusters), f"forced by var n_clusters ({described})", votes)
    counts: dict[int, int] = {}
    for k in votes.values():
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    if not counts:
        k = int(frame["k"].iloc[0])
        rule = f"no criterion has an optimum in the range; smallest k ({described})"
        return KChoice(k, rule, votes)
    most = max(counts.values())
    tied = sorted(k for k, count in counts.items() if count == most)
    if len(tied) == 1:
        k = tied[0]
        rule = f"{most} of 4 criteria agree ({described})"
    else:
        silhouettes = frame.set_index("k")["silhouette"]
        k = max(tied, key=lambda c: (np.nan_to_num(silhouettes[c], nan=-2.0), -c))
        rule = (
            f"tie between k={', '.join(map(str, tied))} with {most} vote(s) each, "
            f"broken by silhouette ({described})"
        )
    return KChoice(int(k), rule, votes)


def _best(frame: pd.DataFrame, column: str, *, highest: bool) -> int | None:
    scores = frame[column].to_numpy(dtype=float)
    if np.isnan(scores).all():
        return None
    index = int(np.nanargmax(scores) if highest else np.nanargmin(scores))
    return int(frame["k"].iloc[index])
