"""The demo company: every customer drawn from one of a few hidden personas.

A segmentation that finds the personas is right by construction, so this is
the easy case; ``realistic_shop`` is the hard one. ``seeds/demo`` is written
from ``generate_company``.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from segmentation.demo.tables import (
    _MEAN_LINES_PER_ORDER,
    _RETURNED,
    DEFAULT_END_DATE,
    DEFAULT_START_DATE,
    SIGNUP_LOOKBACK_DAYS,
    _allocate,
    _customers_table,
    _demographics,
    _draw_categorical,
    _fixed_width_ids,
    _id_width,
    _order_lines,
    _order_window,
    _orders_table,
    _repeat_purchases,
)

_CANCEL_RATE = 0.03


class _Persona(NamedTuple):
    """Hidden behaviour type. Days before end_date are inclusive; money in currency."""

    name: str
    share: float  # fraction of customers
    purchase_rate: float  # mean purchases a year while active, before scaling (0: never buys)
    dropout: float  # mean probability of leaving for good after a purchase
    first_purchase_days: tuple[int, int]  # the first purchase, in days before end_date
    order_value: float  # median order value
    return_rate: float  # share of orders returned
    category_probs: tuple[float, ...]  # in CATEGORIES order
    age: float  # mean age, years
    income: float  # median annual income, thousands
    spending_score: float  # mean spending score, 1-100


_UNIFORM_CATEGORIES = (1 / 7,) * 7
# Recency is not planted: each persona buys as a buy-till-you-die process
# (BG/NBD) with its own rate, dropout and start, so "at risk" and
# "hibernating" customers are the ones whose high dropout has (mostly)
# already happened, and a few champions have left too, as in a real shop.
_PERSONAS = (
    _Persona("champion", 0.10, 16.0, 0.01, (400, 730), 120.0, 0.04,
             (0.20, 0.20, 0.15, 0.12, 0.13, 0.10, 0.10), 38, 95, 80),
    _Persona("loyal", 0.20, 8.0, 0.03, (300, 730), 70.0, 0.05,
             (0.10, 0.15, 0.20, 0.10, 0.10, 0.15, 0.20), 45, 65, 60),
    _Persona("big_ticket", 0.10, 2.0, 0.10, (120, 730), 450.0, 0.08,
             (0.45, 0.10, 0.30, 0.03, 0.07, 0.03, 0.02), 50, 110, 45),
    _Persona("new", 0.12, 6.0, 0.30, (0, 45), 60.0, 0.06,
             (0.15, 0.25, 0.15, 0.15, 0.10, 0.10, 0.10), 30, 55, 50),
    _Persona("at_risk", 0.15, 10.0, 0.20, (450, 730), 65.0, 0.07,
             (0.15, 0.20, 0.20, 0.10, 0.15, 0.10, 0.10), 42, 60, 40),
    _Persona("bargain_hunter", 0.13, 12.0, 0.03, (200, 730), 22.0, 0.30,
             (0.05, 0.35, 0.05, 0.25, 0.10, 0.05, 0.15), 27, 35, 75),
    _Persona("hibernating", 0.17, 2.0, 0.60, (450, 730), 25.0, 0.05,
             (0.10, 0.15, 0.10, 0.10, 0.10, 0.25, 0.20), 55, 45, 20),
    _Persona("never_ordered", 0.03, 0.0, 0.0, (0, 0), 0.0, 0.0,
             _UNIFORM_CATEGORIES, 35, 50, 35),
)
PERSONAS = tuple(p.name for p in _PERSONAS)
# Within a persona, a customer's rate is the persona's times Gamma(shape, 1/shape)
# (mean 1), and the dropout is Beta with the persona's mean and this a + b.
_RATE_SHAPE = 2.0
_DROPOUT_CONCENTRATION = 20.0
# New customers signed up within this many days before end_date.
_NEW_CUSTOMER_DAYS = 90
_SIGNUP_GAP_DAYS = {"new": 10.0}  # mean days from signup to first order
_DEFAULT_SIGNUP_GAP_DAYS = 90.0


def _rate_scale(rate: np.ndarray, dropout: np.ndarray, days_left: np.ndarray,
                target_orders: float, n_customers: int) -> float:
    """The factor on every buyer's rate that gives target_orders orders per customer.

    rate (per day), dropout, days_left: (n_buyers,). A buyer who buys at rate
    r after the first purchase and leaves after each purchase with
    probability p is still active at t with probability (1 - p) e^(-r p t),
    so expects 1 + (1 - p) (1 - e^(-r p L)) / p orders in L days; the
    expectation rises with the factor, which bisection finds.
    """
    p = np.maximum(dropout, 1e-12)

    def orders_per_customer(scale: float) -> float:
        repeats = (1 - p) * -np.expm1(-scale * rate * p * days_left) / p
        return float((1 + repeats).sum()) / n_customers

    low, high = 0.0, 1.0
    if orders_per_customer(low) >= target_orders:
        return 0.0
    while orders_per_customer(high) < target_orders and high < 1e6:
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if orders_per_customer(middle) < target_orders else (low, middle)
    return (low + high) / 2


def _persona_purchases(
    rng: np.random.Generator, persona: np.ndarray, mean_order_lines: float, n_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every customer's orders in time, as a BG/NBD process per persona.

    persona: (n,) int codes into _PERSONAS. Each buyer's first purchase falls
    uniformly in the persona's first_purchase_days window (clipped into the
    calendar); after it they buy at a Gamma-distributed rate and leave after
    each purchase with a Beta-distributed probability, until end_date. Rates
    are scaled so that lines per customer average about mean_order_lines.
    Returns (first_day (n,) int32, -1 for never-buyers; order_customer and
    order_day, both (n_orders,) int32, sorted by day).
    """
    def per_customer(field: str) -> np.ndarray:
        return np.array([getattr(p, field) for p in _PERSONAS])[persona]

    n = persona.shape[0]
    buyer = np.flatnonzero(per_customer("purchase_rate") > 0)
    window = per_customer("first_purchase_days")[buyer]
    days_before_end = rng.integers(window[:, 0], window[:, 1] + 1)
    first_day = np.clip(n_days - 1 - days_before_end, 0, n_days - 1).astype(np.int32)
    rate = (per_customer("purchase_rate")[buyer] / 365.0
            * rng.gamma(_RATE_SHAPE, 1 / _RATE_SHAPE, buyer.shape[0]))
    mean_dropout = per_customer("dropout")[buyer]
    dropout = rng.beta(mean_dropout * _DROPOUT_CONCENTRATION,
                       (1 - mean_dropout) * _DROPOUT_CONCENTRATION)
    rate *= _rate_scale(rate, dropout, (n_days - 1 - first_day).astype(float),
                        mean_order_lines / _MEAN_LINES_PER_ORDER, n)
    repeat_buyer, repeat_day = _repeat_purchases(rng, first_day, rate, dropout,
                                                 np.ones(n_days))
    order_customer = np.concatenate([buyer, buyer[repeat_buyer]]).astype(np.int32)
    order_day = np.concatenate([first_day, repeat_day]).astype(np.int32)
    chronological = np.argsort(order_day, kind="stable")
    first_of_customer = np.full(n, -1, dtype=np.int32)
    first_of_customer[buyer] = first_day
    return first_of_customer, order_customer[chronological], order_day[chronological]


def generate_company_with_personas(
    n_customers: int,
    *,
    mean_order_lines: float = 12.0,
    start_date: str | dt.date = DEFAULT_START_DATE,
    end_date: str | dt.date = DEFAULT_END_DATE,
    random_state: int = 42,
) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """Like ``generate_company`` but also return each customer's hidden persona.

    Returns (customers, orders, persona): persona is an (n_customers,) array of
    names from PERSONAS, aligned with the customer rows. Persona shares are
    fixed (exact counts, largest remainder), their order is random.
    """
    if n_customers < 1:
        raise ValueError("n_customers must be >= 1")
    if mean_order_lines <= 0:
        raise ValueError("mean_order_lines must be > 0")
    start, end, n_days = _order_window(start_date, end_date)
    rng = np.random.default_rng(random_state)

    counts = _allocate(n_customers, np.array([p.share for p in _PERSONAS]))
    persona = rng.permutation(np.repeat(np.arange(len(_PERSONAS), dtype=np.int8), counts))

    def per_customer(field: str) -> np.ndarray:
        return np.array([getattr(p, field) for p in _PERSONAS])[persona]

    demo = _demographics(rng, per_customer("age"), per_customer("income"),
                         per_customer("spending_score"))
    first_day, order_customer, order_day = _persona_purchases(
        rng, persona, mean_order_lines, n_days)

    gap_mean = np.array([_SIGNUP_GAP_DAYS.get(p.name, _DEFAULT_SIGNUP_GAP_DAYS)
                         for p in _PERSONAS])[persona]
    earliest = np.full(n_customers, -SIGNUP_LOOKBACK_DAYS)
    # New customers signed up recently; their first order is later still, so
    # the floor never pushes signup past the first order.
    earliest[persona == PERSONAS.index("new")] = n_days - 1 - _NEW_CUSTOMER_DAYS
    signup_day = np.maximum(first_day - np.floor(rng.exponential(gap_mean)), earliest)
    never = first_day < 0
    signup_day[never] = rng.integers(-SIGNUP_LOOKBACK_DAYS, n_days, never.sum())

    # Number customers in signup order, as a CRM sequence would.
    by_signup = np.argsort(signup_day, kind="stable")
    signup_rank = np.empty(n_customers, dtype=np.int32)
    signup_rank[by_signup] = np.arange(n_customers, dtype=np.int32)
    order_customer = signup_rank[order_customer]
    persona = persona[by_signup]
    signup_day = signup_day[by_signup].astype(np.int32)
    demo = {key: values[by_signup] for key, values in demo.items()}
    customer_ids = _fixed_width_ids(np.arange(1, n_customers + 1), _id_width(n_customers, 6))

    order_persona = persona[order_customer]
    return_rate = np.array([p.return_rate for p in _PERSONAS])
    status_probs = np.column_stack(
        [1.0 - return_rate - _CANCEL_RATE, return_rate, np.full(len(_PERSONAS), _CANCEL_RATE)])
    order_status = _draw_categorical(rng, status_probs, order_persona)
    # Customer-level factor: some customers of a persona simply spend more.
    customer_factor = rng.lognormal(0.0, 0.3, n_customers)
    order_value = (np.array([p.order_value for p in _PERSONAS])[order_persona]
                   * customer_factor[order_customer]
                   * rng.lognormal(0.0, 0.45, order_customer.shape[0]))
    persona_categories = np.array([p.category_probs for p in _PERSONAS])
    lines = _order_lines(
        rng, order_value, order_status == _RETURNED,
        lambda line_order: _draw_categorical(rng, persona_categories, order_persona[line_order]))

    customers = _customers_table(customer_ids, start, signup_day, demo)
    orders = _orders_table(start, customer_ids, order_customer, order_day, order_status, lines)
    return customers, orders, np.asarray(PERSONAS)[persona]


def generate_company(
    n_customers: int,
    *,
    mean_order_lines: float = 12.0,
    start_date: str | dt.date = DEFAULT_START_DATE,
    end_date: str | dt.date = DEFAULT_END_DATE,
    random_state: int = 42,
) -> tuple[pa.Table, pa.Table]:
    """Synthetic customer master and order lines with hidden segment structure.

    Each customer has one hidden persona (PERSONAS, fixed shares): champion,
    loyal, big_ticket, new, at_risk, bargain_hunter, hibernating and
    never_ordered (~3%, no orders). The persona drives order count, order
    value, recency, category mix and return rate, and shifts age, income and
    spending score. Personas are defined for the default two-year calendar; a
    shorter one clips their windows.

    Parameters
    ----------
    n_customers : number of customers (rows of ``customers``).
    mean_order_lines : target order lines per customer; the total is about
        ``n_customers * mean_order_lines`` (lines per order average 1.6).
    start_date, end_date : inclusive order calendar, ISO string or date.
    random_state : seed; equal arguments give equal tables.

    Returns
    -------
    customers : (n_customers,) rows, ordered by customer_id (= signup order):
        customer_id string (zero-padded, width max(6, digits of n)),
        signup_date date32 (start_date - 730 days .. end_date, <= first order),
        age int32 (18-85), gender string (female/male/other, ~3% null),
        country string (COUNTRIES), annual_income float64 (thousands, 15-150),
        spending_score int32 (1-100).
    orders : one row per order line, ordered by order_id (= date order):
        order_id string ("O" + zero-padded, width max(8, digits)),
        customer_id string, order_date date32 (start_date..end_date),
        amount float64 (line amount, cents; negative on returned orders),
        category string (CATEGORIES), status string (STATUSES: ~85% of orders
        completed, 3% cancelled, ~12% returned), quantity int32 (>= 1).
    """
    customers, orders, _ = generate_company_with_personas(
        n_customers, mean_order_lines=mean_order_lines, start_date=start_date,
        end_date=end_date, random_state=random_state)
    return customers, orders
