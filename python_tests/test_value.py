"""segmentation.value: BG/NBD and Gamma-Gamma fitted by maximum likelihood.

On data generated from the models with known parameters (the CDNOW estimates
of Fader, Hardie and Lee 2005, time in weeks), at the default fit sample size
(var fit_sample_size, 50,000 customers), the fits recover the parameters and
the predictions track what the process does next.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from segmentation import value
from segmentation.value import (
    BgNbdFit,
    GammaGammaFit,
    ValueModelError,
    expected_average_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    predicted_value,
    probability_alive,
    score_customers,
    simulate_bgnbd,
    simulate_spend,
)

TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
FIT_SAMPLE_SIZE = 50_000


@pytest.fixture(scope="module")
def simulated():
    data = simulate_bgnbd(FIT_SAMPLE_SIZE, **TRUE_BGNBD, age_low=30, age_high=78,
                          random_state=7, holdout=39)
    data["average_value"] = simulate_spend(data["frequency"], **TRUE_SPEND, random_state=7)
    return data


@pytest.fixture(scope="module")
def fitted(simulated):
    return fit_bgnbd(simulated["frequency"], simulated["recency"], simulated["age"])


def test_bgnbd_recovers_its_parameters_within_ten_percent(fitted):
    for name, true in TRUE_BGNBD.items():
        assert getattr(fitted, name) == pytest.approx(true, rel=0.10), name
    assert fitted.customers == FIT_SAMPLE_SIZE and fitted.log_likelihood < 0


def test_gamma_gamma_recovers_its_parameters_within_ten_percent(simulated):
    fit = fit_gamma_gamma(simulated["frequency"], simulated["average_value"])
    for name, true in TRUE_SPEND.items():
        assert getattr(fit, name) == pytest.approx(true, rel=0.10), name
    assert fit.customers == int((simulated["frequency"] > 0).sum())


def test_expected_purchases_track_the_holdout(simulated, fitted):
    predicted = expected_purchases(fitted, 39, simulated["frequency"], simulated["recency"],
                                   simulated["age"])
    actual = simulated["holdout_purchases"]
    assert predicted.sum() == pytest.approx(actual.sum(), rel=0.05)
    # By calibration purchases, as in the paper's Figure 4: each group's mean too.
    for purchases in range(0, 5):
        group = simulated["frequency"] == purchases
        assert predicted[group].mean() == pytest.approx(actual[group].mean(), rel=0.15, abs=0.02)


def test_expected_purchases_equal_the_direct_formula():
    """Euler's transformation changes the arithmetic, not the value."""
    fit = BgNbdFit(**TRUE_BGNBD, log_likelihood=0, customers=0, repeat_buyers=0, iterations=0)
    x, t_x, age, t = np.array([0.0, 1, 4, 12]), np.array([0.0, 20, 30, 60]), 70.0, 52.0
    r, alpha, a, b = TRUE_BGNBD.values()
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + age + t))
    direct = ((a + b + x - 1) / (a - 1)
              * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp)
              / (1 + (x > 0) * a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x)))
    np.testing.assert_allclose(expected_purchases(fit, t, x, t_x, np.full(4, age)), direct,
                               rtol=1e-9)
    # A frequent buyer, where the direct form overflows, stays finite and positive.
    heavy = expected_purchases(fit, t, [400.0], [69.0], [70.0])
    assert np.isfinite(heavy).all() and heavy[0] > 100


def test_nearly_homogeneous_dropout_stays_finite_and_agrees_with_quadrature():
    """A fit at its homogeneous-dropout limit (a + b in the thousands, as the
    demo data gives as of 2025-06-30): scipy's 2F1 overflows there, so those
    rows are integrated over the dropout probability instead. The quadrature
    equals the closed form where both are finite, the values grow with the
    horizon and, as a + b grows, tend to the fixed-dropout formula."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 40, 500).astype(float)
    age = rng.uniform(0.5, 100, 500)
    recency = np.where(x > 0, age * rng.uniform(0.05, 1, 500), 0.0)
    moderate = BgNbdFit(r=1.3, alpha=11.9, a=30.0, b=300.0, log_likelihood=0, customers=0,
                        repeat_buyers=0, iterations=0)
    np.testing.assert_allclose(
        value._purchases_if_alive_by_quadrature(moderate, [52.0], x, age)[:, 0]
        * probability_alive(moderate, x, recency, age),
        expected_purchases(moderate, 52.0, x, recency, age), rtol=1e-4)
    limit = BgNbdFit(r=1.3157, alpha=11.9187, a=660.58, b=11580.46, log_likelihood=0,
                     customers=0, repeat_buyers=0, iterations=0)
    quarter, year = (expected_purchases(limit, h, x, recency, age) for h in (90 / 7, 365 / 7))
    assert np.isfinite(year).all() and (quarter > 0).all() and (year > quarter).all()
    # Dropout fixed at its posterior mean p = a / (a + b + x):
    # E = P(alive) (1 - (1 + p h / (alpha + T))^-(r + x)) / p.
    p = limit.a / (limit.a + limit.b + x)
    fixed = ((1 - (1 + p * (365 / 7) / (limit.alpha + age)) ** -(limit.r + x)) / p
             * probability_alive(limit, x, recency, age))
    # They differ by the Beta's spread: its coefficient of variation is ~4%
    # here, and the curvature of the integrand turns that into ~0.15%.
    np.testing.assert_allclose(year, fixed, rtol=3e-3)


def test_probability_alive_is_one_without_a_repeat_purchase_and_falls_with_silence():
    fit = BgNbdFit(**TRUE_BGNBD, log_likelihood=0, customers=0, repeat_buyers=0, iterations=0)
    assert probability_alive(fit, [0.0], [0.0], [50.0])[0] == 1.0
    recent, silent = probability_alive(fit, [3.0, 3.0], [49.0, 5.0], [50.0, 50.0])
    assert 0 < silent < recent < 1
    # The closed form by hand.
    r, alpha, a, b = TRUE_BGNBD.values()
    by_hand = 1 / (1 + a / (b + 2) * ((alpha + 50) / (alpha + 5)) ** (r + 3))
    assert silent == pytest.approx(by_hand, rel=1e-12)


def test_value_shrinks_towards_the_population_and_discounting_lowers_it(simulated, fitted):
    spend = GammaGammaFit(**TRUE_SPEND, log_likelihood=0, customers=0, iterations=0)
    population = TRUE_SPEND["p"] * TRUE_SPEND["gamma"] / (TRUE_SPEND["q"] - 1)
    once, often = expected_average_value(spend, [1.0, 50.0], [100.0, 100.0])
    assert population < once < often < 100
    assert expected_average_value(spend, [0.0], [np.nan])[0] == pytest.approx(population)
    args = (simulated["frequency"][:200], simulated["recency"][:200], simulated["age"][:200],
            simulated["average_value"][:200])
    plain = predicted_value(fitted, spend, *args)
    discounted = predicted_value(fitted, spend, *args, annual_discount_rate=0.10)
    assert (plain >= 0).all() and (discounted <= plain + 1e-12).all()
    assert discounted.sum() < plain.sum()


def test_too_few_repeat_buyers_is_a_clear_error():
    with pytest.raises(ValueModelError, match="only 2 of 100 customers bought again"):
        fit_bgnbd([1, 1] + [0] * 98, [5, 6] + [0] * 98, [10] * 100)
    with pytest.raises(ValueModelError, match="only 0 repeat buyers"):
        fit_gamma_gamma([0, 0], [0, 0])


def test_gamma_gamma_accepts_a_converged_stop_that_l_bfgs_b_calls_abnormal():
    """At tolerances near machine precision, L-BFGS-B can end a converged
    search with 'ABNORMAL' (no line-search step lowers the loss any more).
    This sample (seed 54 of a search) does so; the fit must still be
    accepted, with its parameters, instead of leaving customer_value without
    a model, as the 1M benchmark's next-day export did."""
    rng = np.random.default_rng(54)
    frequency = rng.geometric(0.35, size=37_000).astype(float)
    average_value = np.round(simulate_spend(frequency, p=3.0, q=1.65, gamma=30.0,
                                            random_state=54), 2)
    fit = fit_gamma_gamma(frequency, average_value)
    for name, true in {"p": 3.0, "q": 1.65, "gamma": 30.0}.items():
        assert getattr(fit, name) == pytest.approx(true, rel=0.10), name


def test_a_gamma_gamma_fit_without_a_usable_model_names_why():
    """Log-Cauchy purchase values have no mean: the search runs to its edge,
    and the error says so instead of returning parameters."""
    rng = np.random.default_rng(3)
    frequency = rng.integers(1, 4, size=5_000).astype(float)
    average_value = np.exp(rng.standard_cauchy(5_000).clip(-30, 30)) + 1
    with pytest.raises(ValueModelError,
                       match="the Gamma-Gamma fit ran to the edge of its search range"):
        fit_gamma_gamma(frequency, average_value)


def test_an_impossible_summary_is_named_by_its_row():
    with pytest.raises(ValueModelError, match=r"row 1: frequency 2.0, recency 12.0, age 10.0"):
        fit_bgnbd([0, 2, 1], [0, 12, 3], [10, 10, 10])


def test_scoring_every_customer_equals_the_month_by_month_sum(simulated, fitted):
    """score_customers computes the hypergeometric part once per (x, T) pair
    and all horizons at once; each customer's values must equal the plain
    definitions: equation 10 at 90 and 365 days, and the 12 monthly
    increments of it times the expected purchase value, discounted."""
    spend = fit_gamma_gamma(simulated["frequency"], simulated["average_value"])
    row = {"r": fitted.r, "alpha": fitted.alpha, "a": fitted.a, "b": fitted.b,
           "bgnbd_log_likelihood": 0.0, "bgnbd_customers": 1, "repeat_buyers": 1,
           "p": spend.p, "q": spend.q, "gamma": spend.gamma,
           "gamma_gamma_log_likelihood": 0.0, "gamma_gamma_customers": 1}
    pick = np.r_[0:40, np.flatnonzero(simulated["frequency"] > 5)[:40]]
    x, t_x, age = (simulated[key][pick] for key in ("frequency", "recency", "age"))
    m = np.where(x > 0, simulated["average_value"][pick], np.nan)
    scored = score_customers(row, x, t_x, age, m, annual_discount_rate=0.1)
    np.testing.assert_allclose(scored["expected_purchases_365d"],
                               expected_purchases(fitted, 365 / 7, x, t_x, age), rtol=1e-12)
    monthly = 1.1 ** (1 / 12) - 1
    value = expected_average_value(spend, x, m)
    by_month, previous = np.zeros(len(pick)), np.zeros(len(pick))
    for month in range(1, 13):
        cumulative = expected_purchases(fitted, month * 52 / 12, x, t_x, age)
        by_month += (cumulative - previous) * value / (1 + monthly) ** month
        previous = cumulative
    np.testing.assert_allclose(scored["predicted_value_12m"], by_month, rtol=1e-10)
    assert (scored["predicted_value_12m"] > 0).all()
