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
    _activity_window,
    _allocate,
    _customers_table,
    _demographics,
    _draw_categorical,
    _fixed_width_ids,
    _id_width,
    _order_calendar,
    _order_lines,
    _order_window,
    _orders_table,
)

_CANCEL_RATE = 0.03


class _Persona(NamedTuple):
    """Hidden behaviour type. Day ranges are inclusive; money in currency."""

    name: str
    share: float  # fraction of customers
    order_weight: float  # relative order count, scaled to hit mean_order_lines; 0 = fixed
    fixed_orders: tuple[int, int]  # order count range when order_weight is 0
    recency_days: tuple[int, int]  # last order, in days before end_date
    span_days: tuple[int, int]  # days from first to last order
    order_value: float  # median order value
    return_rate: float  # share of orders returned
    category_probs: tuple[float, ...]  # in CATEGORIES order
    age: float  # mean age, years
    income: float  # median annual income, thousands
    spending_score: float  # mean spending score, 1-100


_UNIFORM_CATEGORIES = (1 / 7,) * 7
_PERSONAS = (
    _Persona("champion", 0.10, 3.0, (0, 0), (0, 30), (365, 730), 120.0, 0.04,
             (0.20, 0.20, 0.15, 0.12, 0.13, 0.10, 0.10), 38, 95, 80),
    _Persona("loyal", 0.20, 1.6, (0, 0), (0, 90), (300, 700), 70.0, 0.05,
             (0.10, 0.15, 0.20, 0.10, 0.10, 0.15, 0.20), 45, 65, 60),
    _Persona("big_ticket", 0.10, 0.0, (2, 4), (0, 240), (120, 600), 450.0, 0.08,
             (0.45, 0.10, 0.30, 0.03, 0.07, 0.03, 0.02), 50, 110, 45),
    _Persona("new", 0.12, 0.0, (1, 3), (0, 45), (0, 45), 60.0, 0.06,
             (0.15, 0.25, 0.15, 0.15, 0.10, 0.10, 0.10), 30, 55, 50),
    _Persona("at_risk", 0.15, 1.0, (0, 0), (270, 450), (120, 280), 65.0, 0.07,
             (0.15, 0.20, 0.20, 0.10, 0.15, 0.10, 0.10), 42, 60, 40),
    _Persona("bargain_hunter", 0.13, 2.4, (0, 0), (0, 60), (200, 700), 22.0, 0.30,
             (0.05, 0.35, 0.05, 0.25, 0.10, 0.05, 0.15), 27, 35, 75),
    _Persona("hibernating", 0.17, 0.0, (1, 2), (450, 730), (0, 90), 25.0, 0.05,
             (0.10, 0.15, 0.10, 0.10, 0.10, 0.25, 0.20), 55, 45, 20),
    _Persona("never_ordered", 0.03, 0.0, (0, 0), (0, 0), (0, 0), 0.0, 0.0,
             _UNIFORM_CATEGORIES, 35, 50, 35),
)
PERSONAS = tuple(p.name for p in _PERSONAS)
# New customers signed up within this many days before end_date.
_NEW_CUSTOMER_DAYS = 90
_SIGNUP_GAP_DAYS = {"new": 10.0}  # mean days from signup to first order
_DEFAULT_SIGNUP_GAP_DAYS = 90.0


def _persona_order_counts(
    rng: np.random.Generator, persona: np.ndarray, mean_order_lines: float
) -> np.ndarray:
    """(n,) int64 order counts so that lines per customer average ~mean_order_lines.

    Personas with a fixed range keep it; the others share the remaining volume
    in proportion to order_weight, as 1 + Poisson, so each has >= 1 order.
    """
    share = np.array([p.share for p in _PERSONAS])
    weight = np.array([p.order_weight for p in _PERSONAS])
    fixed = np.array([p.fixed_orders for p in _PERSONAS])
    target_orders = mean_order_lines / _MEAN_LINES_PER_ORDER
    fixed_orders = share[weight == 0] @ fixed[weight == 0].mean(axis=1)
    scale = max(target_orders - fixed_orders, 0.0) / (share @ weight)
    mean_orders = np.maximum(weight * scale, 1.0)
    scaled = 1 + rng.poisson(mean_orders[persona] - 1.0)
    drawn_fixed = rng.integers(fixed[persona, 0], fixed[persona, 1] + 1)
    return np.where(weight[persona] > 0, scaled, drawn_fixed)



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
    n_orders = _persona_order_counts(rng, persona, mean_order_lines)
    first_day, last_day = _activity_window(
        rng, per_customer("recency_days"), per_customer("span_days"), n_days)

    gap_mean = np.array([_SIGNUP_GAP_DAYS.get(p.name, _DEFAULT_SIGNUP_GAP_DAYS)
                         for p in _PERSONAS])[persona]
    earliest = np.full(n_customers, -SIGNUP_LOOKBACK_DAYS)
    # New customers signed up recently; their first order is later still, so
    # the floor never pushes signup past the first order.
    earliest[persona == PERSONAS.index("new")] = n_days - 1 - _NEW_CUSTOMER_DAYS
    signup_day = np.maximum(first_day - np.floor(rng.exponential(gap_mean)), earliest)
    never = n_orders == 0
    signup_day[never] = rng.integers(-SIGNUP_LOOKBACK_DAYS, n_days, never.sum())

    # Number customers in signup order, as a CRM sequence would.
    by_signup = np.argsort(signup_day, kind="stable")
    persona, n_orders = persona[by_signup], n_orders[by_signup]
    first_day, last_day = first_day[by_signup], last_day[by_signup]
    signup_day = signup_day[by_signup].astype(np.int32)
    demo = {key: values[by_signup] for key, values in demo.items()}
    customer_ids = _fixed_width_ids(np.arange(1, n_customers + 1), _id_width(n_customers, 6))

    order_customer, order_day = _order_calendar(rng, n_orders, first_day, last_day)
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
