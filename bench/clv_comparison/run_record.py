"""What bench_lifetimes.py and bench_pymc.py both write for one run: the
scores' summary beside the raw score vectors, and the run's JSON."""

import json

import numpy as np


def record_scores(res: dict, palive, expected_52w, out: str) -> None:
    """Summarise P(alive) and E[purchases in 52 weeks] (1-d float arrays) into
    res and save both vectors next to the run's JSON file `out`."""
    palive = np.asarray(palive, float).reshape(-1)
    expected_52w = np.asarray(expected_52w, float).reshape(-1)
    res["palive_first3"] = palive[:3].tolist()
    res["exp52_first3"] = expected_52w[:3].tolist()
    res["palive_n"] = int(palive.size)
    res["exp52_n"] = int(expected_52w.size)
    res["palive_nan"] = int(np.isnan(palive).sum())
    res["exp52_nan"] = int(np.isnan(expected_52w).sum())
    np.save(out.replace(".json", "_palive.npy"), palive)
    np.save(out.replace(".json", "_exp52.npy"), expected_52w)


def write_result(res: dict, out: str) -> None:
    """Write the run's result to `out` and print it on one line."""
    with open(out, "w") as fh:
        json.dump(res, fh, indent=1)
    print(json.dumps(res))
