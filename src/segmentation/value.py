"""Customer value: the buy-till-you-die models, fitted by maximum likelihood.

BG/NBD (beta-geometric / negative binomial distribution; Fader, Hardie and Lee
2005, "Counting your customers the easy way", Marketing Science 24(2)) models
repeat purchases and dropout: while alive a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha), and after each purchase drops out with probability
p ~ Beta(a, b). Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV",
Journal of Marketing Research 42(4)) models the value of a purchase: a
customer's transactions are Gamma(p, nu) with nu ~ Gamma(q, gamma), so the
mean of many purchases tends to p / nu.

Both are fitted on the per-customer summary of a calibration window:
``frequency`` (x, repeat purchases: purchase days after the first), ``recency``
(t_x, time from the first purchase to the last), ``age`` (T, time from the
first purchase to the end of the window), all in one time unit (weeks here), and
for Gamma-Gamma the mean value of the repeat purchases. The likelihoods are
the published closed forms; the fits maximise them with scipy (L-BFGS-B over
the logarithms of the parameters, so they stay positive).

Everything here works on numpy arrays and has no dbt import; the dbt models
hand it Arrow columns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, special

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "gamma")


class ValueModelError(ValueError):
    """The data cannot support a fit (too few repeat buyers, no convergence, ...)."""


@dataclass(frozen=True)
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float  # summed over the customers fitted
    customers: int
    repeat_buyers: int
    iterations: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class GammaGammaFit:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    iterations: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _arrays(*columns) -> list[np.ndarray]:
    return [np.asarray(column, dtype="float64") for column in columns]


def _check_summary(frequency: np.ndarray, recency: np.ndarray, age: np.ndarray) -> None:
    if not (len(frequency) == len(recency) == len(age)):
        raise ValueModelError("frequency, recency and age must have one value per customer")
    bad = ~np.isfinite(frequency) | ~np.isfinite(recency) | ~np.isfinite(age)
    bad |= (frequency < 0) | (recency < 0) | (recency > age + 1e-9)
    bad |= (frequency > 0) & (recency <= 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueModelError(
            f"{int(bad.sum())} customer summaries are impossible (row {first}: frequency "
            f"{frequency[first]}, recency {recency[first]}, age {age[first]}): frequency >= 0, "
            "0 <= recency <= age, and recency > 0 when frequency > 0")


# --------------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(r: float, alpha: float, a: float, b: float,
                         frequency, recency, age) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD (FHL 2005, equation 6)."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    ln_a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    ln_a2 = special.betaln(a, b + x) - special.betaln(a, b)
    ln_a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    ln_a4 = np.full_like(x, -np.inf)
    ln_a4[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                     - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    return ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4)


def _bgnbd_gradient(r: float, alpha: float, a: float, b: float, x: np.ndarray,
                   t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Each customer's d(log-likelihood) / d(r, alpha, a, b): an (n, 4) array.

    The likelihood is A1 A2 (A3 + A4) (FHL 2005, equation 6); w is the share
    of A4, the term of a customer who dropped out right after the last
    purchase (0 without a repeat purchase)."""
    repeat = x > 0
    ln_a3 = -(r + x) * np.log(alpha + big_t)
    ln_a4 = np.full_like(x, -np.inf)
    ln_a4[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                     - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    w = np.exp(ln_a4 - np.logaddexp(ln_a3, ln_a4))
    digamma_all = special.digamma(a + b + x)
    d_r = (special.digamma(r + x) - special.digamma(r) + np.log(alpha)
           - (1 - w) * np.log(alpha + big_t) - w * np.log(alpha + t_x))
    d_alpha = r / alpha - (r + x) * ((1 - w) / (alpha + big_t) + w / (alpha + t_x))
    d_a = special.digamma(a + b) - digamma_all + w / a
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(repeat, w / (b + x - 1), 0.0)
    d_b = (special.digamma(b + x) - special.digamma(b) + special.digamma(a + b) - digamma_all
           - dropped)
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def _off_bounds(x: np.ndarray, bounds: list[tuple[float, float]]) -> np.ndarray:
    """Which searched parameters stopped inside their bounds."""
    return np.array([low + 1e-6 < value < high - 1e-6
                     for value, (low, high) in zip(x, bounds, strict=True)])


def _converged(result: optimize.OptimizeResult, negative, free: np.ndarray,
               tolerance: float) -> bool:
    """Whether an L-BFGS-B stop is a minimum. Its tolerances are set near
    machine precision, so at a converged point it may report 'ABNORMAL' (no
    line-search step lowers the mean log-likelihood any more): a stop is
    accepted when it says it converged, or when the gradient of every
    parameter off its bounds is within tolerance of flat there."""
    if not np.isfinite(result.fun):
        return False
    gradient = negative(result.x)[1]
    return bool(result.success or np.all(np.abs(gradient[free]) < tolerance))


def fit_bgnbd(frequency, recency, age, *, min_repeat_buyers: int = 30,
              max_iterations: int = 2000) -> BgNbdFit:
    """The maximum-likelihood BG/NBD parameters of a calibration summary.

    Raises ValueModelError, naming the cause, when fewer than
    min_repeat_buyers customers bought again (dropout cannot be told from a
    low rate), when every customer is seen for no time, or when the
    optimiser does not converge.
    """
    x, t_x, big_t = _arrays(frequency, recency, age)
    _check_summary(x, t_x, big_t)
    if len(x) == 0:
        raise ValueModelError("no customer has a purchase in the window: there is nothing "
                              "to fit the value model on")
    repeat_buyers = int((x > 0).sum())
    if repeat_buyers < min_repeat_buyers:
        raise ValueModelError(
            f"only {repeat_buyers} of {len(x)} customers bought again in the calibration "
            f"window; BG/NBD needs at least {min_repeat_buyers} repeat buyers to tell dropout "
            "from a low purchase rate")
    if not (big_t > 0).any():
        raise ValueModelError("every customer's first purchase is at the end of the window "
                              "(age 0): there is no time in which to see a repeat purchase")
    # Summaries repeat (most customers: x = 0 with a few distinct ages): fit on
    # the distinct ones with their counts, which is exact and much faster.
    keys, counts = np.unique(np.column_stack([x, t_x, big_t]), axis=0, return_counts=True)
    ux, ut, uT = keys[:, 0], keys[:, 1], keys[:, 2]
    total = counts.sum()
    # Time scale: start alpha near the data's scale so one start fits any unit.
    scale = max(float(np.mean(big_t)), 1e-9)

    # Dropout's Beta(a, b) is searched as its mean a/(a+b) (logit) and its
    # concentration a+b (log): when every customer drops out with about the same
    # probability the likelihood keeps rising as a and b grow together, and the
    # concentration stops at its bound (e^10) instead of running away: that is
    # the homogeneous-dropout limit of the model, a valid fit.
    def unpack(params: np.ndarray) -> tuple[float, float, float, float]:
        log_r, log_alpha, logit_mean, log_concentration = params
        mean, concentration = special.expit(logit_mean), np.exp(log_concentration)
        return (np.exp(log_r), np.exp(log_alpha) * scale, mean * concentration,
                (1 - mean) * concentration)

    weights = counts / total

    def negative(params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = unpack(params)
        ll = bgnbd_log_likelihood(r, alpha, a, b, ux, ut, uT)
        value = -(weights * ll).sum()
        if not np.isfinite(value):
            return 1e12, np.zeros(4)
        d_r, d_alpha, d_a, d_b = weights @ _bgnbd_gradient(r, alpha, a, b, ux, ut, uT)
        # Chain rule to the searched parameters: log r, log alpha, the logit
        # of the dropout mean m = a/(a+b) and the log of a+b.
        mean_slope = a * b / (a + b)  # d a / d logit(m) = -d b / d logit(m)
        return value, -np.array([r * d_r, alpha * d_alpha, mean_slope * (d_a - d_b),
                                 a * d_a + b * d_b])

    bounds = [(-12, 12), (-12, 12), (-12, 12), (-12, 10)]
    # An analytic gradient: with finite differences the search stopped early
    # on flat ridges ('ABNORMAL' line searches) and took four times as long.
    result = optimize.minimize(negative, x0=np.array([0.0, 0.0, 0.0, np.log(2.0)]),
                               method="L-BFGS-B", jac=True, bounds=bounds,
                               options={"maxiter": max_iterations, "ftol": 1e-12, "gtol": 1e-8})
    r, alpha, a, b = unpack(result.x)
    free = _off_bounds(result.x, bounds)
    # The concentration may rest on its bound (the homogeneous-dropout limit).
    if not _converged(result, negative, free, tolerance=1e-4) or not free[:3].all():
        raise ValueModelError(
            f"the BG/NBD fit did not converge ({result.message}; r={r:.4g}, alpha={alpha:.4g}, "
            f"a={a:.4g}, b={b:.4g}): the purchase pattern does not identify the model")
    return BgNbdFit(r=float(r), alpha=float(alpha), a=float(a), b=float(b),
                    log_likelihood=float(-result.fun * total), customers=int(total),
                    repeat_buyers=repeat_buyers, iterations=int(result.nit))


def probability_alive(fit: BgNbdFit, frequency, recency, age) -> np.ndarray:
    """P(still active at the end of the window | x, t_x, T) (FHL 2005, equation 11).

    1 for a customer with no repeat purchase: in BG/NBD dropout happens only
    right after a purchase. SQL computes the same closed form
    (macro bgnbd_probability_alive)."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    log_odds = np.full_like(x, -np.inf)
    repeat = x > 0
    log_odds[repeat] = (np.log(fit.a) - np.log(fit.b + x[repeat] - 1)
                        + (fit.r + x[repeat]) * (np.log(fit.alpha + big_t[repeat])
                                                 - np.log(fit.alpha + t_x[repeat])))
    return special.expit(-log_odds)


def expected_purchases(fit: BgNbdFit, horizon: float, frequency, recency, age) -> np.ndarray:
    """E[purchases in (T, T + horizon] | x, t_x, T] (FHL 2005, equation 10):
    probability alive times the purchases expected of a customer still
    active (purchases_if_alive)."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    if_alive = purchases_if_alive(fit, [horizon], x, big_t)[:, 0]
    return if_alive * probability_alive(fit, x, t_x, big_t)


def purchases_if_alive(fit: BgNbdFit, horizons, frequency, age) -> np.ndarray:
    """E[purchases in (T, T + h] | alive at T, x, T] for each h of horizons:
    an (n, len(horizons)) array. It depends on x and T only, so it is
    computed once per distinct (x, T) pair: at a million customers there are
    tens of thousands.

    The Gaussian hypergeometric function is evaluated after Euler's transformation,
    2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1-r-x) 2F1(a+b-1-r, a-1; a+b+x-1; z),
    whose parameters stay small for frequent buyers (the direct form overflows).
    When dropout is nearly the same for everyone (a + b in the thousands, a
    fit at its homogeneous limit) scipy's 2F1 overflows instead; those rows,
    and any the series leaves non-finite, are computed by quadrature over the
    dropout probability (_purchases_if_alive_by_quadrature), which agrees
    with the closed form to about 1e-5 where both are finite.
    """
    values, inverse = _purchases_if_alive_by_pair(fit, horizons, *_arrays(frequency, age))
    return values[inverse]


def _purchases_if_alive_by_pair(fit: BgNbdFit, horizons, x: np.ndarray, big_t: np.ndarray
                                ) -> tuple[np.ndarray, np.ndarray]:
    """purchases_if_alive for each distinct (x, T) pair, and each customer's pair."""
    horizons = np.asarray(horizons, dtype="float64")
    # One integer key per pair: a 1-d unique is ten times faster than np.unique(axis=0).
    distinct_x, x_index = np.unique(x, return_inverse=True)
    distinct_age, age_index = np.unique(big_t, return_inverse=True)
    keys, inverse = np.unique(x_index.ravel().astype(np.int64) * len(distinct_age)
                              + age_index.ravel(), return_inverse=True)
    ux, u_age = distinct_x[keys // len(distinct_age)], distinct_age[keys % len(distinct_age)]
    result = np.zeros((len(keys), len(horizons)))
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    a_minus_1 = a - 1 if abs(a - 1) > 1e-9 else 1e-9
    if a + b > _LARGE_CONCENTRATION:
        return _purchases_if_alive_by_quadrature(fit, horizons, ux, u_age), inverse.ravel()
    for column, horizon in enumerate(horizons):
        if horizon <= 0:
            continue
        z = horizon / (alpha + u_age + horizon)
        with np.errstate(over="ignore", invalid="ignore"):
            hyp = special.hyp2f1(a + b - 1 - r, a - 1, a + b + ux - 1, z)
            values = (a + b + ux - 1) / a_minus_1 * (1 - (1 - z) ** (a - 1) * hyp)
        broken = ~np.isfinite(values) | (values < 0)
        if broken.any():
            values[broken] = _purchases_if_alive_by_quadrature(
                fit, [horizon], ux[broken], u_age[broken])[:, 0]
        result[:, column] = values
    return result, inverse.ravel()


# Above this a + b, scipy's 2F1 of the closed form overflows; quadrature instead.
_LARGE_CONCENTRATION = 1000.0
# Gauss-Legendre nodes on (0, 1) for the quadrature over the dropout quantile.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)
_QUANTILES, _QUANTILE_WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2


def _purchases_if_alive_by_quadrature(fit: BgNbdFit, horizons, x: np.ndarray,
                                      big_t: np.ndarray) -> np.ndarray:
    """Purchases expected in the next h of a customer alive at T, for each h of
    horizons (an (n, len(horizons)) array), by integrating over the dropout
    probability p.

    Alive at T, a customer with rate lambda and dropout p makes
    (1 - exp(-lambda p h)) / p purchases in the next h in expectation
    (FHL 2005); the posterior of lambda is Gamma(r + x, alpha + T), over which
    the exponential integrates in closed form, and that of p is
    Beta(a, b + x), integrated here by Gauss-Legendre over its quantiles
    (the integrand is bounded and smooth in p, so 96 nodes suffice). The
    quantiles are computed once for all horizons: they are the slow part."""
    distinct_x, index = np.unique(x, return_inverse=True)
    dropout = special.betaincinv(fit.a, fit.b + distinct_x[:, None], _QUANTILES[None, :])[index]
    shape = (fit.r + x)[:, None]
    result = np.zeros((len(x), len(horizons)))
    for column, horizon in enumerate(horizons):
        if horizon <= 0:
            continue
        scaled = horizon / (fit.alpha + big_t)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_node = -np.expm1(-shape * np.log1p(dropout * scaled)) / dropout
        # As p -> 0 the purchases tend to the rate's mean times h.
        per_node = np.where(dropout > 0, per_node, shape * scaled)
        result[:, column] = per_node @ _QUANTILE_WEIGHTS
    return result


# --------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(p: float, q: float, gamma: float,
                               frequency, average_value) -> np.ndarray:
    """Each repeat buyer's log-likelihood of its mean repeat value (FHL 2005b)."""
    x, m = _arrays(frequency, average_value)
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
            + q * np.log(gamma) + (px - 1) * np.log(m) + px * np.log(x)
            - (px + q) * np.log(gamma + x * m))


def _gamma_gamma_gradient(p: float, q: float, gamma: float, x: np.ndarray,
                          m: np.ndarray) -> np.ndarray:
    """d(mean log-likelihood) / d(log p, log q, log gamma): analytic, so the
    fit stops where the gradient is truly flat. With finite differences it
    stopped anywhere along the flat p-q-gamma ridge, and input that differed
    in the last bit (the same data read as decimals or doubles) moved p by
    2e-5 and a segment's predicted value by cents."""
    px = p * x
    log_total = np.log(gamma + x * m)
    digamma_all = special.digamma(px + q)
    d_p = x * (digamma_all - special.digamma(px) + np.log(m) + np.log(x) - log_total)
    d_q = digamma_all - special.digamma(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (px + q) / (gamma + x * m)
    return np.array([p * d_p.mean(), q * d_q.mean(), gamma * d_gamma.mean()])


def fit_gamma_gamma(frequency, average_value, *, min_customers: int = 30,
                    max_iterations: int = 2000) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters over the repeat buyers
    (frequency > 0 and a positive mean repeat value; others are left out)."""
    x, m = _arrays(frequency, average_value)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < min_customers:
        raise ValueModelError(
            f"only {len(x)} repeat buyers with a positive mean repeat value; the Gamma-Gamma "
            f"spend model needs at least {min_customers}")
    scale = float(np.mean(m))

    def negative(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        value = -gamma_gamma_log_likelihood(p, q, gamma * scale, x, m).mean()
        if not np.isfinite(value):
            return 1e12, np.zeros(3)
        return value, -_gamma_gamma_gradient(p, q, gamma * scale, x, m)

    bounds = [(-12, 12)] * 3
    result = optimize.minimize(negative, x0=np.log([1.0, 2.0, 1.0]), method="L-BFGS-B",
                               jac=True, bounds=bounds,
                               options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-10})
    p, q, gamma = np.exp(result.x)
    gamma *= scale
    free = _off_bounds(result.x, bounds)
    # A tight tolerance: the p-q-gamma ridge is flat, so a loose one would
    # accept a stop well along it.
    if not _converged(result, negative, free, tolerance=1e-6):
        problem = f"did not converge ({result.message})"
    elif not free.all():
        problem = "ran to the edge of its search range"
    elif q <= 1:
        problem = "gave q <= 1, for which a purchase has no mean value"
    else:
        problem = None
    if problem:
        raise ValueModelError(
            f"the Gamma-Gamma fit {problem}: p={p:.4g}, q={q:.4g}, gamma={gamma:.4g}; "
            "the repeat purchases' values do not identify a usable spend model")
    return GammaGammaFit(p=float(p), q=float(q), gamma=float(gamma),
                         log_likelihood=float(-result.fun * len(x)), customers=int(len(x)),
                         iterations=int(result.nit))


def expected_average_value(fit: GammaGammaFit, frequency, average_value) -> np.ndarray:
    """E[value of a purchase | x, mean repeat value]: the customer's own mean,
    shrunk towards the population mean p*gamma/(q-1) the fewer purchases it
    rests on; the population mean for a customer with no repeat purchase."""
    x, m = _arrays(frequency, average_value)
    m = np.where(np.isfinite(m) & (x > 0), m, 0.0)
    return fit.p * (fit.gamma + x * m) / (fit.p * x + fit.q - 1)


# --------------------------------------------------------------------------- value


def predicted_value(bgnbd: BgNbdFit, spend: GammaGammaFit, frequency, recency, age,
                    average_value, *, months: int = 12, weeks_per_month: float = 52 / 12,
                    annual_discount_rate: float = 0.0) -> np.ndarray:
    """Expected value of the next `months` months, each month's expected
    purchases times the expected purchase value, discounted to today at
    annual_discount_rate (compounded monthly). Time unit of the fit: weeks."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    cumulative, inverse = _purchases_if_alive_by_pair(
        bgnbd, np.arange(1, months + 1) * weeks_per_month, x, big_t)
    return (_discounted_purchases(cumulative, annual_discount_rate)[inverse]
            * probability_alive(bgnbd, x, t_x, big_t)
            * expected_average_value(spend, x, average_value))


def _discounted_purchases(cumulative: np.ndarray, annual_discount_rate: float) -> np.ndarray:
    """Each month's purchases (the increments of (k, months) cumulative
    purchases) discounted to today, summed: what a unit of purchase value
    over those months is worth now."""
    monthly = (1 + annual_discount_rate) ** (1 / 12) - 1
    per_month = np.diff(cumulative, axis=1, prepend=0.0)
    return per_month @ (1 + monthly) ** -np.arange(1, cumulative.shape[1] + 1)


# --------------------------------------------------------------------------- simulation


def simulate_bgnbd(customers: int, *, r: float, alpha: float, a: float, b: float,
                   age_low: float, age_high: float, random_state: int = 0,
                   holdout: float = 0.0) -> dict[str, np.ndarray]:
    """Customers from the BG/NBD process with known parameters, for tests and
    backtests: each is seen for an age uniform in [age_low, age_high] after its
    first purchase at time 0. Returns frequency, recency, age and, with a
    holdout length, the purchases in (age, age + holdout] (holdout_purchases)."""
    rng = np.random.default_rng(random_state)
    rates = rng.gamma(shape=r, scale=1 / alpha, size=customers)
    dropout = rng.beta(a, b, size=customers)
    ages = rng.uniform(age_low, age_high, size=customers)
    frequency = np.zeros(customers)
    recency = np.zeros(customers)
    later = np.zeros(customers)
    for i in range(customers):
        time, bought, last = 0.0, 0, 0.0
        end = ages[i] + holdout
        while True:
            time += rng.exponential(1 / rates[i])
            if time > end:
                break
            if time <= ages[i]:
                bought, last = bought + 1, time
            else:
                later[i] += 1
            if rng.random() < dropout[i]:
                break
        frequency[i], recency[i] = bought, last
    result = {"frequency": frequency, "recency": recency, "age": ages}
    if holdout:
        result["holdout_purchases"] = later
    return result


def simulate_spend(frequency, *, p: float, q: float, gamma: float,
                   random_state: int = 0) -> np.ndarray:
    """The mean value of each customer's repeat purchases under Gamma-Gamma with
    known parameters (0 for a customer with none)."""
    x = np.asarray(frequency, dtype="int64")
    rng = np.random.default_rng(random_state)
    nu = rng.gamma(shape=q, scale=1 / gamma, size=len(x))
    # The sum of x Gamma(p, nu) values is Gamma(p * x, nu).
    totals = np.where(x > 0, rng.gamma(shape=np.maximum(p * x, 1e-12), scale=1 / nu), 0.0)
    return np.where(x > 0, totals / np.maximum(x, 1), 0.0)


# --------------------------------------------------------------------------- for the dbt models

VALUE_MODEL_COLUMNS = ("purpose", "status", "reason", "r", "alpha", "a", "b",
                       "bgnbd_log_likelihood", "bgnbd_customers", "repeat_buyers", "p", "q",
                       "gamma", "gamma_gamma_log_likelihood", "gamma_gamma_customers",
                       "time_unit")


def not_fitted(purpose: str, reason: str) -> dict:
    """A row of ml_customer_value_model for a model that could not be fitted."""
    row = dict.fromkeys(VALUE_MODEL_COLUMNS)
    row.update(purpose=purpose, time_unit="week", status="not_fitted", reason=reason)
    return row


def fit_value_models(purpose: str, frequency, recency, age, average_value) -> dict:
    """One row of ml_customer_value_model: both fits on one summary, or the
    reason there is no model (status 'not_fitted'), never an exception, so a
    shop whose data cannot support the models still gets its segments."""
    row = dict.fromkeys(VALUE_MODEL_COLUMNS)
    row.update(purpose=purpose, time_unit="week")
    try:
        bgnbd = fit_bgnbd(frequency, recency, age)
        spend = fit_gamma_gamma(frequency, average_value)
    except ValueModelError as error:
        return not_fitted(purpose, str(error))
    row.update(status="fitted", r=bgnbd.r, alpha=bgnbd.alpha, a=bgnbd.a, b=bgnbd.b,
               bgnbd_log_likelihood=bgnbd.log_likelihood, bgnbd_customers=bgnbd.customers,
               repeat_buyers=bgnbd.repeat_buyers, p=spend.p, q=spend.q, gamma=spend.gamma,
               gamma_gamma_log_likelihood=spend.log_likelihood,
               gamma_gamma_customers=spend.customers)
    return row


def fits_of(row: dict) -> tuple[BgNbdFit, GammaGammaFit]:
    """The fits a stored ml_customer_value_model row describes."""
    bgnbd = BgNbdFit(r=row["r"], alpha=row["alpha"], a=row["a"], b=row["b"],
                     log_likelihood=row["bgnbd_log_likelihood"],
                     customers=int(row["bgnbd_customers"]),
                     repeat_buyers=int(row["repeat_buyers"]), iterations=0)
    spend = GammaGammaFit(p=row["p"], q=row["q"], gamma=row["gamma"],
                          log_likelihood=row["gamma_gamma_log_likelihood"],
                          customers=int(row["gamma_gamma_customers"]), iterations=0)
    return bgnbd, spend


# The horizons scored: 90 and 365 days, and the ends of the next 12 months
# (for the discounted 12-month value). Time unit of the fit: weeks.
_SCORE_HORIZONS_WEEKS = np.concatenate([[90 / 7, 365 / 7], np.arange(1, 13) * (52 / 12)])


def purchase_curves(row: dict, frequency, age, *,
                    annual_discount_rate: float) -> dict[str, np.ndarray]:
    """What a customer still active expects to buy, for each (x, T) given:
    purchases in the next 90 and 365 days and the next 12 months' purchases
    discounted to today (compounded monthly at annual_discount_rate).

    These are the parts of a customer's scores that need the hypergeometric
    function and depend on x and T only, so the build computes them once per
    distinct pair (ml_customer_value_curves) and SQL multiplies them by the
    closed forms of probability alive and expected purchase value
    (ml_customer_value_scores); score_customers is the same in Python."""
    bgnbd, _ = fits_of(row)
    by_pair, inverse = _purchases_if_alive_by_pair(bgnbd, _SCORE_HORIZONS_WEEKS,
                                                   *_arrays(frequency, age))
    return {
        "purchases_if_alive_90d": by_pair[inverse, 0],
        "purchases_if_alive_365d": by_pair[inverse, 1],
        "discounted_purchases_if_alive_12m": _discounted_purchases(
            by_pair[:, 2:], annual_discount_rate)[inverse],
    }


def score_customers(row: dict, frequency, recency, age, average_value, *,
                    annual_discount_rate: float) -> dict[str, np.ndarray]:
    """Every customer's value columns under a fitted model row (time in weeks):
    the reference for the build's SQL scoring (ml_customer_value_scores),
    which must give the same numbers."""
    bgnbd, spend = fits_of(row)
    x, t_x, big_t, m = _arrays(frequency, recency, age, average_value)
    curves = purchase_curves(row, x, big_t, annual_discount_rate=annual_discount_rate)
    alive = probability_alive(bgnbd, x, t_x, big_t)
    value = expected_average_value(spend, x, m)
    return {
        "probability_alive": alive,
        "expected_purchases_90d": curves["purchases_if_alive_90d"] * alive,
        "expected_purchases_365d": curves["purchases_if_alive_365d"] * alive,
        "expected_average_value": value,
        "predicted_value_12m": curves["discounted_purchases_if_alive_12m"] * alive * value,
    }


def backtest_inputs(models, sample):
    """What both backtest models start from: the fitted backtest row of
    ml_customer_value_model as a dict (None when it was not fitted or no
    sampled customer's first purchase is by the cut-off) and the sample's
    calibration customers (a DataFrame of ml_value_fit_sample rows)."""
    fitted = models[(models["purpose"] == "backtest") & (models["status"] == "fitted")]
    calibration = sample[sample["in_calibration"].fillna(False).astype(bool)]
    if fitted.empty or calibration.empty:
        return None, calibration
    return fitted.iloc[0].to_dict(), calibration


def backtest_customers(row: dict, frequency, recency, age, *,
                       holdout_weeks: float) -> dict[str, np.ndarray]:
    """Each calibration customer's probability alive at the cut-off and the
    purchases the backtest model (fitted on the calibration window) expects in
    the holdout, to set beside the purchases they made there."""
    bgnbd, _ = fits_of(row)
    return {
        "probability_alive": probability_alive(bgnbd, frequency, recency, age),
        "predicted_holdout_purchases": expected_purchases(
            bgnbd, holdout_weeks, frequency, recency, age),
    }


def expected_cumulative_purchases(row: dict, frequency, recency, age,
                                  horizons_weeks) -> np.ndarray:
    """The purchases all the given customers together are expected to make in
    the first h weeks after the cut-off, for each h of horizons_weeks: the
    curve a backtest tracks against the actual cumulative purchases."""
    bgnbd, _ = fits_of(row)
    x, t_x, big_t = _arrays(frequency, recency, age)
    alive = probability_alive(bgnbd, x, t_x, big_t)
    return alive @ purchases_if_alive(bgnbd, horizons_weeks, x, big_t)
