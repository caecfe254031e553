"""A synthetic e-commerce export with no planted segments.

``personas.generate_company`` draws every customer from one of a few hidden
personas, so a segmentation that finds them is right by construction. This
module simulates a shop the way "buy till you die" models (Pareto/NBD, BG/NBD,
Gamma-Gamma) describe one: every customer trait is drawn from a continuous
distribution, so there are no true groups, only gradients. Segment names, k
selection, RFM scores and at-risk lists should stay truthful on it.

What is simulated, per customer:

* Acquisition: the first activity falls on a day drawn with a density that
  doubles from start_date to end_date (a growing shop) and peaks in
  November-December (the same seasonality as orders).
* 8% sign up and never order; 4% place one or two orders and cancel them all.
* Everyone else buys at acquisition and then, while active, at a Poisson rate
  ``lambda ~ Gamma`` (per day, scaled by seasonality). After each purchase the
  customer drops out for good with probability ``p ~ Beta`` (BG/NBD). Most
  buyers therefore buy once; a few buy dozens of times.
* Spend: a mean order value per customer, lognormal (heavy tail); each order
  varies around it (Gamma, Gamma-Gamma style).
* A purchase is returned (whole order, negative amounts) with a per-customer
  probability drawn from a Beta; independently, a purchase is followed by a
  cancelled order (positive amounts) within two weeks, so ~7% of orders are
  cancelled and ~6% returned.
* Categories: per-customer preferences drawn from a Dirichlet around the shop's
  category mix.

Tables have the same columns and types as ``personas.generate_company``
(orders exactly; customers without annual_income and spending_score, which
real shop exports rarely carry). Days are int32 offsets from start_date
internally; money is in currency units rounded to cents.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from segmentation.demo.tables import (
    _COUNTRY_SHARES,
    _GENDER_SHARES,
    CATEGORIES,
    COUNTRIES,
    GENDERS,
    STATUSES,
    _allocate,
    _date_array,
    _fixed_width_ids,
    _id_width,
    _order_lines,
    _order_window,
    _orders_table,
    _repeat_purchases,
)

REALISTIC_START_DATE = "2023-01-01"
REALISTIC_END_DATE = "2025-12-31"

# Customer kinds: shares of all customers; the rest are buyers.
NEVER_ORDERED_SHARE = 0.08
CANCELLED_ONLY_SHARE = 0.04
_NEVER, _CANCELLED_ONLY, _BUYER = 0, 1, 2

# Acquisition density at end_date relative to start_date (linear in between).
_ACQUISITION_GROWTH = 2.0
# Relative shopping intensity per calendar month, January first: Black Friday
# and Christmas lift November and December, January-February are quiet.
_MONTH_SEASON = np.array([0.85, 0.80, 0.95, 0.95, 1.0, 0.95, 0.90, 0.90, 1.0, 1.05, 1.45, 1.60])
# Days from signup to first order: uniform in [0, this].
_SIGNUP_GAP_MAX_DAYS = 30

# BG/NBD. Purchase rate lambda ~ Gamma while active, in purchases per day of
# season factor 1 (mean one per 45 days): shape < 1 gives many slow buyers and
# a long tail of frequent ones. Tuned with the dropout below so that ~65% of
# buyers complete exactly one order over three years.
_RATE_SHAPE = 0.7
_RATE_MEAN_PER_DAY = 1 / 45
# Dropout after each purchase p ~ Beta(a, b), mean ~0.56: most leave after the
# first order, ~4% have p < 0.05 and stay for years.
_DROPOUT_A, _DROPOUT_B = 1.0, 0.8

# Gamma-Gamma spend: mean order value per customer ~ lognormal(median, sigma);
# an order's value ~ Gamma(shape) around it (coefficient of variation 0.5).
_MEDIAN_ORDER_VALUE = 50.0
_ORDER_VALUE_SIGMA = 1.0
_ORDER_VALUE_SHAPE = 4.0

# Target shares of all orders placed by buyers.
CANCELLED_ORDER_SHARE = 0.07
RETURNED_ORDER_SHARE = 0.06
# Per-purchase probabilities that give those shares: each purchase spawns a
# cancelled order with the first, so cancellations are CANCELLED_ORDER_SHARE
# of purchases plus cancellations; a purchase is returned with the second.
_CANCEL_PER_PURCHASE = CANCELLED_ORDER_SHARE / (1 - CANCELLED_ORDER_SHARE)
_RETURN_PER_PURCHASE = RETURNED_ORDER_SHARE / (1 - CANCELLED_ORDER_SHARE)
# Beta concentration (a + b) of the per-customer return probability: small,
# so a few customers return much more often than most.
_RETURN_CONCENTRATION = 4.0
# A cancelled order follows its purchase by 0..this many days (capped at end).
_CANCEL_DELAY_MAX_DAYS = 14
# Half the cancelled-only customers try (and cancel) a second time, 0..this
# many days after the first.
_SECOND_CANCEL_SHARE = 0.5
_SECOND_CANCEL_MAX_DAYS = 60

# Shop-wide category mix (CATEGORIES order) and the Dirichlet concentration
# (sum of alphas) of each customer's preferences around it: small, so
# customers have clear but varied favourites.
_CATEGORY_MIX = np.array([0.14, 0.24, 0.17, 0.13, 0.11, 0.09, 0.12])
_PREFERENCE_CONCENTRATION = 4.0

_AGE_MEAN, _AGE_SD = 39.0, 13.0
_AGE_MISSING_SHARE = 0.06
_COMPLETED, _RETURNED, _CANCELLED = (STATUSES.index(s)
                                     for s in ("completed", "returned", "cancelled"))


def _daily_season(start: np.datetime64, n_days: int) -> np.ndarray:
    """(n_days,) float shopping intensity of each calendar day (month factor)."""
    months = (start + np.arange(n_days)).astype("datetime64[M]").astype(np.int64) % 12
    return _MONTH_SEASON[months]


def _draw_days(rng: np.random.Generator, weight: np.ndarray, size: int) -> np.ndarray:
    """(size,) int32 day offsets drawn with probability proportional to weight (n_days,)."""
    cumulative = np.cumsum(weight)
    days = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(days, weight.shape[0] - 1).astype(np.int32)


def _acquire(
    rng: np.random.Generator, n_customers: int, season: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer kinds and first activity, in signup order.

    season: (n_days,) intensity per day. Kinds come in exact shares (largest
    remainder), in random order. First activity (first order, or signup for
    those who never order) is drawn with density growth x season, growth
    rising linearly to _ACQUISITION_GROWTH; signup precedes the first order by
    0-_SIGNUP_GAP_MAX_DAYS days, so it may fall before day 0. Returns (kind
    int8 codes _NEVER/_CANCELLED_ONLY/_BUYER, first_day int32, signup_day
    int32), each (n_customers,), sorted by signup_day.
    """
    shares = np.array([NEVER_ORDERED_SHARE, CANCELLED_ONLY_SHARE,
                       1 - NEVER_ORDERED_SHARE - CANCELLED_ONLY_SHARE])
    kind = rng.permutation(np.repeat(np.arange(3, dtype=np.int8), _allocate(n_customers, shares)))
    n_days = season.shape[0]
    growth = 1 + (_ACQUISITION_GROWTH - 1) * np.arange(n_days) / max(n_days - 1, 1)
    first_day = _draw_days(rng, growth * season, n_customers)
    gap = rng.integers(0, _SIGNUP_GAP_MAX_DAYS + 1, n_customers)
    signup_day = np.where(kind == _NEVER, first_day, first_day - gap).astype(np.int32)
    by_signup = np.argsort(signup_day, kind="stable")
    return kind[by_signup], first_day[by_signup], signup_day[by_signup]


def _cancellations(
    rng: np.random.Generator,
    purchase_customer: np.ndarray,
    purchase_day: np.ndarray,
    cancellers: np.ndarray,
    canceller_day: np.ndarray,
    n_days: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Cancelled orders: (customer, day), both (n_cancelled,) int32.

    purchase_customer, purchase_day: (n_purchases,) purchases; each is followed
    with probability _CANCEL_PER_PURCHASE by an order its buyer cancels up
    to _CANCEL_DELAY_MAX_DAYS later. cancellers, canceller_day: (m,) cancelled-only customers and
    their first activity day; each cancels an order that day, and half of
    them a second one up to _SECOND_CANCEL_MAX_DAYS later. Days are capped at
    the last calendar day, n_days - 1.
    """
    follows = rng.random(purchase_customer.shape[0]) < _CANCEL_PER_PURCHASE
    delay = rng.integers(0, _CANCEL_DELAY_MAX_DAYS + 1, follows.sum())
    again = rng.random(cancellers.shape[0]) < _SECOND_CANCEL_SHARE
    second_delay = rng.integers(0, _SECOND_CANCEL_MAX_DAYS + 1, again.sum())
    customer = np.concatenate([purchase_customer[follows], cancellers, cancellers[again]])
    day = np.concatenate([purchase_day[follows] + delay, canceller_day,
                          canceller_day[again] + second_delay])
    return customer.astype(np.int32), np.minimum(day, n_days - 1).astype(np.int32)


def _category_codes(
    rng: np.random.Generator, preferences: np.ndarray, line_customer: np.ndarray
) -> np.ndarray:
    """(n_lines,) int8 codes into CATEGORIES, one draw per line.

    preferences: (n_customers, len(CATEGORIES)) rows summing to 1;
    line_customer: (n_lines,) int row of preferences per line.
    """
    cumulative = np.cumsum(preferences, axis=1)[line_customer]
    codes = (rng.random(line_customer.shape[0])[:, None] > cumulative).sum(axis=1)
    # Float rounding can leave the last cumulative value just below 1.
    return np.minimum(codes, len(CATEGORIES) - 1).astype(np.int8)


def _customers_table(customer_ids: pa.Array, start: np.datetime64, signup_day: np.ndarray,
                     rng: np.random.Generator) -> pa.Table:
    """Customer master: ids (n,), signup days (n,) offsets from start, and
    demographics independent of behaviour: age int32 in [18, 85] (some null),
    gender (GENDERS, some null) and country (COUNTRIES)."""
    n = signup_day.shape[0]
    age = np.clip(np.rint(rng.normal(_AGE_MEAN, _AGE_SD, n)), 18, 85).astype(np.int32)
    age_missing = rng.random(n) < _AGE_MISSING_SHARE
    gender = rng.choice(len(_GENDER_SHARES), size=n, p=_GENDER_SHARES)
    country = rng.choice(len(COUNTRIES), size=n, p=_COUNTRY_SHARES)
    return pa.table({
        "customer_id": customer_ids,
        "signup_date": _date_array(start, signup_day),
        "age": pa.array(age, mask=age_missing),
        "gender": pa.array([*GENDERS, None], pa.string()).take(pa.array(gender)),
        "country": pa.array(COUNTRIES, pa.string()).take(pa.array(country)),
    })


def generate_realistic_shop(
    n_customers: int,
    *,
    random_state: int = 42,
    start_date: str | dt.date = REALISTIC_START_DATE,
    end_date: str | dt.date = REALISTIC_END_DATE,
) -> tuple[pa.Table, pa.Table]:
    """Customer master and order lines of a shop without planted segments.

    Parameters
    ----------
    n_customers : number of customers (rows of ``customers``).
    random_state : seed; equal arguments give equal tables.
    start_date, end_date : inclusive calendar, ISO string or date. Customers
        are acquired over all of it; no order falls after end_date.

    Returns
    -------
    customers : (n_customers,) rows ordered by customer_id (= signup order):
        customer_id string (zero-padded, width max(6, digits of n)),
        signup_date date32 (0-30 days before the first order, or any day of
        the calendar for the 8% who never order), age int32 (18-85, ~6%
        null), gender string (~3% null), country string.
    orders : one row per order line, ordered by order_id (= date order), the
        columns and types of ``personas.generate_company``'s orders. Of the
        orders of buyers ~7% are cancelled (positive amounts) and ~6%
        returned (negative amounts); the 4% cancelled-only customers have 1-2
        cancelled orders each.
    """
    if n_customers < 1:
        raise ValueError("n_customers must be >= 1")
    start, end, n_days = _order_window(start_date, end_date)
    rng = np.random.default_rng(random_state)
    season = _daily_season(start, n_days)

    # Customers, numbered in signup order as a CRM sequence would be.
    kind, first_day, signup_day = _acquire(rng, n_customers, season)
    customer_ids = _fixed_width_ids(np.arange(1, n_customers + 1), _id_width(n_customers, 6))

    # Continuous traits of every customer (drawn for all, used by those who order).
    rate = rng.gamma(_RATE_SHAPE, _RATE_MEAN_PER_DAY / _RATE_SHAPE, n_customers)
    dropout = rng.beta(_DROPOUT_A, _DROPOUT_B, n_customers)
    mean_value = _MEDIAN_ORDER_VALUE * rng.lognormal(0.0, _ORDER_VALUE_SIGMA, n_customers)
    return_a = _RETURN_CONCENTRATION * _RETURN_PER_PURCHASE
    return_prob = rng.beta(return_a, _RETURN_CONCENTRATION - return_a, n_customers)
    preferences = rng.dirichlet(_CATEGORY_MIX * _PREFERENCE_CONCENTRATION, n_customers)

    # Purchases: the first at acquisition, then BG/NBD repeats.
    buyers = np.flatnonzero(kind == _BUYER).astype(np.int32)
    repeat_buyer, repeat_day = _repeat_purchases(
        rng, first_day[buyers], rate[buyers], dropout[buyers], season)
    purchase_customer = np.concatenate([buyers, buyers[repeat_buyer]])
    purchase_day = np.concatenate([first_day[buyers], repeat_day])
    returned = rng.random(purchase_customer.shape[0]) < return_prob[purchase_customer]
    purchase_status = np.where(returned, _RETURNED, _COMPLETED)

    cancellers = np.flatnonzero(kind == _CANCELLED_ONLY)
    cancel_customer, cancel_day = _cancellations(
        rng, purchase_customer, purchase_day, cancellers, first_day[cancellers], n_days)

    order_customer = np.concatenate([purchase_customer, cancel_customer])
    order_day = np.concatenate([purchase_day, cancel_day]).astype(np.int32)
    order_status = np.concatenate([
        purchase_status, np.full(cancel_customer.shape[0], _CANCELLED)]).astype(np.int8)
    # Order numbers increase with time.
    chronological = np.argsort(order_day, kind="stable")
    order_customer = order_customer[chronological]
    order_day, order_status = order_day[chronological], order_status[chronological]

    order_value = rng.gamma(_ORDER_VALUE_SHAPE, mean_value[order_customer] / _ORDER_VALUE_SHAPE)
    lines = _order_lines(
        rng, order_value, order_status == _RETURNED,
        lambda line_order: _category_codes(rng, preferences, order_customer[line_order]))
    customers = _customers_table(customer_ids, start, signup_day, rng)
    orders = _orders_table(start, customer_ids, order_customer, order_day, order_status, lines)
    return customers, orders
