"""One fresh-process benchmark run of lifetimes on one data file.

Usage: python bench_lifetimes.py DATA.csv OUT.json [--score]
Times: import (numpy+pandas first, then lifetimes), BG/NBD fit, Gamma-Gamma fit,
and with --score the vectorised P(alive) and E[purchases in next 52 weeks].
"""
import sys
import time
import warnings
from pathlib import Path

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

t1 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pandas-3 deprecation warning at lifetimes import
    import lifetimes  # noqa: E402
    from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: E402
t2 = time.perf_counter()

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bgnbd_ref, run_record
from bgnbd_ref import TRUE_BG, TRUE_GG, bgnbd_loglik, gg_loglik  # noqa: E402
from run_record import record_scores, write_result  # noqa: E402


def main():
    path, out = sys.argv[1], sys.argv[2]
    score = "--score" in sys.argv
    d = pd.read_csv(path)
    res = {"lib": "lifetimes", "lifetimes_version": lifetimes.__version__,
           "python": sys.version.split()[0], "data": path, "n": len(d),
           "import_numpy_pandas_s": t1 - t0, "import_lib_s": t2 - t1}

    bgf = BetaGeoFitter(penalizer_coef=0.0)
    s = time.perf_counter()
    bgf.fit(d["frequency"], d["recency"], d["T"])
    res["bg_fit_s"] = time.perf_counter() - s
    bg = {k: float(v) for k, v in bgf.params_.items()}
    res["bg_params"] = bg
    # lifetimes exposes only the private attribute _negative_log_likelihood_ = mean NLL
    # computed on internally rescaled time (recency, T multiplied by 10/max(T)).
    res["bg_exposed_neg_mean_ll_scaled"] = float(bgf._negative_log_likelihood_)
    res["bg_exposed_ll_scaled_total"] = float(-bgf._negative_log_likelihood_ * len(d))
    # back to original time units: LL_orig = LL_scaled + sum(x) * log(scale), scale = 1/max(T)
    res["bg_ll_lib"] = (res["bg_exposed_ll_scaled_total"]
                        + float(d["frequency"].sum() * np.log(bgf._scale)))
    res["bg_ll_ref"] = bgnbd_loglik(**bg, x=d["frequency"], tx=d["recency"], T=d["T"])
    res["bg_ll_ref_at_true"] = bgnbd_loglik(**TRUE_BG, x=d["frequency"], tx=d["recency"], T=d["T"])

    rep = d[d["frequency"] > 0]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    s = time.perf_counter()
    ggf.fit(rep["frequency"], rep["monetary_value"])
    res["gg_fit_s"] = time.perf_counter() - s
    gg = {k: float(v) for k, v in ggf.params_.items()}  # p, q, v
    res["gg_params"] = gg
    res["gg_n"] = len(rep)
    res["gg_ll_ref"] = gg_loglik(**gg, x=rep["frequency"], m=rep["monetary_value"])
    res["gg_ll_ref_at_true"] = gg_loglik(**TRUE_GG, x=rep["frequency"], m=rep["monetary_value"])

    if score:
        f, r, T = d["frequency"].to_numpy(), d["recency"].to_numpy(), d["T"].to_numpy()
        s = time.perf_counter()
        pa = bgf.conditional_probability_alive(f, r, T)
        res["score_palive_s"] = time.perf_counter() - s
        s = time.perf_counter()
        ep = bgf.conditional_expected_number_of_purchases_up_to_time(52, f, r, T)
        res["score_exp52_s"] = time.perf_counter() - s
        record_scores(res, pa, ep, out)

    write_result(res, out)


if __name__ == "__main__":
    main()
