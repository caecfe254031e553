"""One fresh-process benchmark run of pymc-marketing (MAP fit) on one data file.

Usage: python bench_pymc.py DATA.csv OUT.json [--score] [--flat]
  --flat : replace the default priors by improper flat priors (HalfFlat) on
           r, alpha, a, b and p, q, v, so the MAP equals the maximum-likelihood estimate
           (used only to measure how much the default priors pull the estimate).
Times: import (numpy+pandas first, then pymc_marketing.clv), BG/NBD fit (includes model
build + pytensor graph compilation, as fit() does it), Gamma-Gamma fit, and with --score
the vectorised P(alive) and E[purchases in next 52 weeks].
"""
import sys
import time
import warnings
from pathlib import Path

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

t1 = time.perf_counter()
import pymc_marketing  # noqa: E402
from pymc_marketing.clv import BetaGeoModel, GammaGammaModel  # noqa: E402

t2 = time.perf_counter()

import pymc as pm  # noqa: E402
import pytensor  # noqa: E402
from pymc_extras.prior import Prior  # noqa: E402
from pymc_marketing.clv.distributions import BetaGeoNBD  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bgnbd_ref, run_record
from bgnbd_ref import TRUE_BG, TRUE_GG, bgnbd_loglik, gg_loglik  # noqa: E402
from run_record import record_scores, write_result  # noqa: E402


def post_scalar(idata, name):
    return float(np.asarray(idata["posterior"][name].values).reshape(-1)[0])


def prior_repr(cfg):
    return {k: (str(v) if not isinstance(v, list) else v) for k, v in cfg.items()}


def main():
    path, out = sys.argv[1], sys.argv[2]
    score = "--score" in sys.argv
    flat = "--flat" in sys.argv
    d = pd.read_csv(path)
    res = {"lib": "pymc-marketing", "pymc_marketing_version": pymc_marketing.__version__,
           "pymc_version": pm.__version__, "pytensor_version": pytensor.__version__,
           "python": sys.version.split()[0], "data": path, "n": len(d), "flat_priors": flat,
           "pytensor_compiledir": str(pytensor.config.compiledir),
           "pytensor_cxx": str(pytensor.config.cxx),
           "pytensor_linker": str(pytensor.config.linker),
           "pytensor_default_mode_linker":
               type(pytensor.compile.mode.get_default_mode().linker).__name__,
           "import_numpy_pandas_s": t1 - t0, "import_lib_s": t2 - t1}

    bg_cfg = None
    gg_cfg = None
    if flat:
        bg_cfg = {"r": Prior("HalfFlat"), "alpha": Prior("HalfFlat"),
                  "a": Prior("HalfFlat"), "b": Prior("HalfFlat")}
        gg_cfg = {"p": Prior("HalfFlat"), "q": Prior("HalfFlat"), "v": Prior("HalfFlat")}

    bgm = BetaGeoModel(model_config=bg_cfg)
    res["bg_model_config"] = prior_repr(bgm.model_config)
    bg_data = d[["customer_id", "frequency", "recency", "T"]]
    s = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bgm.fit(bg_data, method="map", progressbar=False)
    res["bg_fit_s"] = time.perf_counter() - s
    bg = {k: post_scalar(bgm.idata, k) for k in ("r", "alpha", "a", "b")}
    res["bg_params"] = bg
    if not flat:
        res["bg_params_extra"] = {k: post_scalar(bgm.idata, k)
                                  for k in ("phi_dropout", "kappa_dropout")}
    # log-likelihood through the library's own BG/NBD distribution at the fitted point
    dist = BetaGeoNBD.dist(a=bg["a"], b=bg["b"], r=bg["r"], alpha=bg["alpha"], T=d["T"].to_numpy())
    obs = np.stack((d["recency"].to_numpy(), d["frequency"].to_numpy()), axis=1)
    res["bg_ll_lib"] = float(pm.logp(dist, obs).sum().eval())
    # log posterior (what MAP maximises) at the fitted point, via the model's
    # compiled logp (no jacobian)
    m = bgm.model
    ip = m.initial_point()
    point = {}
    for rv in m.free_RVs:
        val = m.rvs_to_values[rv]
        tr = m.rvs_to_transforms.get(rv)
        x = np.asarray(bgm.idata["posterior"][rv.name].values).reshape(np.shape(ip[val.name]))
        point[val.name] = tr.forward(x, *rv.owner.inputs).eval() if tr is not None else x
    res["bg_logpost_lib"] = float(m.compile_logp(jacobian=False)(point))
    res["bg_ll_ref"] = bgnbd_loglik(**bg, x=d["frequency"], tx=d["recency"], T=d["T"])
    res["bg_ll_ref_at_true"] = bgnbd_loglik(**TRUE_BG, x=d["frequency"], tx=d["recency"], T=d["T"])

    rep = d.loc[d["frequency"] > 0, ["customer_id", "frequency", "monetary_value"]]
    ggm = GammaGammaModel(model_config=gg_cfg)
    res["gg_model_config"] = prior_repr(ggm.model_config)
    s = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ggm.fit(rep, method="map", progressbar=False)
    res["gg_fit_s"] = time.perf_counter() - s
    gg = {k: post_scalar(ggm.idata, k) for k in ("p", "q", "v")}
    res["gg_params"] = gg
    res["gg_n"] = len(rep)
    res["gg_ll_ref"] = gg_loglik(**gg, x=rep["frequency"], m=rep["monetary_value"])
    res["gg_ll_ref_at_true"] = gg_loglik(**TRUE_GG, x=rep["frequency"], m=rep["monetary_value"])

    if score:
        s = time.perf_counter()
        pa = bgm.expected_probability_alive(bg_data)
        res["score_palive_s"] = time.perf_counter() - s
        s = time.perf_counter()
        ep = bgm.expected_purchases(bg_data, future_t=52)
        res["score_exp52_s"] = time.perf_counter() - s
        res["palive_dims"] = list(pa.dims)
        res["exp52_dims"] = list(ep.dims)
        record_scores(res, pa.values, ep.values, out)

    write_result(res, out)


if __name__ == "__main__":
    main()
