"""Planted groups with known labels, for checking that a segmentation finds them.

``generate_planted_customers`` plants groups on customer attributes (k
selection); ``generate_planted_company`` plants behaviour groups in the
orders (RFM, return rate, a favourite category per group).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa

from segmentation.demo.tables import (
    _RETURNED,
    CATEGORIES,
    DEFAULT_END_DATE,
    DEFAULT_START_DATE,
    SIGNUP_LOOKBACK_DAYS,
    _activity_window,
    _as_day,
    _customers_table,
    _demographics,
    _draw_categorical,
    _fixed_width_ids,
    _id_width,
    _order_calendar,
    _order_lines,
    _orders_table,
)

# generate_planted_company: the category each group (champions, lapsed, mid,
# big_single) buys in _FAVOURITE_SHARE of its order lines.
PLANTED_FAVOURITE_CATEGORIES = ("electronics", "grocery", "fashion", "home")
_FAVOURITE_SHARE = 0.55

# Centres on (annual_income thousands, spending_score, age years), far apart
# relative to the within-group spread below. Corners first, then the middle, as
# in the Mall Customers data.
_PLANTED_CENTRES = np.array([
    (30, 15, 22), (135, 85, 28), (30, 85, 34), (135, 15, 40), (82, 50, 46),
    (82, 15, 52), (82, 85, 58), (30, 50, 64), (135, 50, 70),
])
_PLANTED_SPREAD = np.array([4.0, 4.0, 2.5])


def generate_planted_customers(
    n_per_group: int = 200, n_groups: int = 4, *, random_state: int = 0
) -> tuple[pa.Table, np.ndarray]:
    """Customers with well-separated planted groups, for testing k selection.

    Groups sit on a 3 x 3 grid of (annual_income, spending_score) centres at
    least 35 units apart with a spread of 4 units; ages are centred per group
    too, so adding age as a feature keeps the groups apart. Rows are shuffled.

    Returns
    -------
    customers : (n_per_group * n_groups,) rows: customer_id string
        (zero-padded, width >= 6), age int32, annual_income float64
        (thousands, 1 decimal), spending_score int32.
    labels : (n_per_group * n_groups,) int64 true group in [0, n_groups).
    """
    if not 1 <= n_groups <= len(_PLANTED_CENTRES):
        raise ValueError(f"n_groups must be in [1, {len(_PLANTED_CENTRES)}]")
    if n_per_group < 1:
        raise ValueError("n_per_group must be >= 1")
    rng = np.random.default_rng(random_state)
    labels = rng.permutation(np.repeat(np.arange(n_groups), n_per_group))
    values = rng.normal(_PLANTED_CENTRES[labels], _PLANTED_SPREAD)
    n = labels.shape[0]
    customers = pa.table({
        "customer_id": _fixed_width_ids(np.arange(1, n + 1), _id_width(n, 6)),
        "age": pa.array(np.clip(np.rint(values[:, 2]), 18, 85).astype(np.int32)),
        "annual_income": pa.array(np.clip(np.round(values[:, 0], 1), 15.0, 150.0)),
        "spending_score": pa.array(np.clip(np.rint(values[:, 1]), 1, 100).astype(np.int32)),
    })
    return customers, labels


class _Behaviour(NamedTuple):
    """Planted RFM group. Day ranges inclusive, before end_date; money in currency."""

    name: str
    orders: tuple[int, int]
    recency_days: tuple[int, int]
    span_days: tuple[int, int]
    order_value: float  # median order value
    return_share: float  # exact share of each customer's orders returned


_PLANTED_BEHAVIOUR = (
    _Behaviour("champions", (24, 32), (0, 7), (500, 700), 150.0, 0.0),
    _Behaviour("lapsed", (1, 2), (480, 700), (0, 30), 25.0, 0.0),
    _Behaviour("mid", (8, 12), (45, 90), (200, 400), 60.0, 0.25),
    _Behaviour("big_single", (1, 1), (200, 320), (0, 0), 1200.0, 0.0),
)


def generate_planted_company(
    n_per_group: int = 300, *, random_state: int = 0
) -> tuple[pa.Table, pa.Table, np.ndarray]:
    """Customers and orders with 4 planted, well-separated behaviour groups.

    Groups (label: recency from the last order date, orders, order value):
    0 champions: 0-7 days, 24-32 orders, ~150; 1 lapsed: 480-700 days, 1-2
    orders, ~25; 2 mid: 45-90 days, 8-12 orders, ~60, a quarter of orders
    returned; 3 big_single: 200-320 days, one order of ~1200. Only "mid"
    returns anything and nothing is cancelled, so recency, order count,
    revenue, average order value and return rate all separate the groups.
    Demographics carry no group signal. Each group buys one category in more
    than half its order lines (PLANTED_FAVOURITE_CATEGORIES), the others
    evenly, so cross-selling has a planted answer. Calendar: DEFAULT_START_DATE
    to DEFAULT_END_DATE.

    Returns
    -------
    customers, orders : same columns and types as ``generate_company``;
        customer rows are shuffled across groups.
    labels : (4 * n_per_group,) int64 true group per customer row.
    """
    if n_per_group < 1:
        raise ValueError("n_per_group must be >= 1")
    rng = np.random.default_rng(random_state)
    start = _as_day(DEFAULT_START_DATE)
    n_days = int((_as_day(DEFAULT_END_DATE) - start).astype(np.int64)) + 1
    labels = rng.permutation(np.repeat(np.arange(len(_PLANTED_BEHAVIOUR)), n_per_group))
    n = labels.shape[0]

    def per_customer(field: str) -> np.ndarray:
        return np.array([getattr(b, field) for b in _PLANTED_BEHAVIOUR])[labels]

    demo = _demographics(rng, np.full(n, 40.0), np.full(n, 60.0), np.full(n, 50.0))
    order_range = per_customer("orders")
    n_orders = rng.integers(order_range[:, 0], order_range[:, 1] + 1)
    first_day, last_day = _activity_window(
        rng, per_customer("recency_days"), per_customer("span_days"), n_days)
    signup_day = np.maximum(first_day - np.floor(rng.exponential(60.0, n)),
                            -SIGNUP_LOOKBACK_DAYS).astype(np.int32)
    customer_ids = _fixed_width_ids(np.arange(1, n + 1), _id_width(n, 6))

    order_customer, order_day = _order_calendar(rng, n_orders, first_day, last_day)
    # Return exactly round(share * orders) of each customer's orders, chosen at
    # random: a noisy count would blur the return-rate feature.
    n_returned = np.rint(per_customer("return_share") * n_orders)
    by_customer = np.lexsort((rng.random(order_customer.shape[0]), order_customer))
    rank = np.empty(order_customer.shape[0], dtype=np.int64)
    rank[by_customer] = np.arange(by_customer.shape[0]) - np.repeat(
        np.cumsum(n_orders) - n_orders, n_orders)
    returned = rank < n_returned[order_customer]
    order_status = np.where(returned, _RETURNED, 0).astype(np.int8)

    customer_factor = rng.lognormal(0.0, 0.1, n)
    order_value = (per_customer("order_value")[order_customer] * customer_factor[order_customer]
                   * rng.lognormal(0.0, 0.15, order_customer.shape[0]))
    category_probs = np.full((len(_PLANTED_BEHAVIOUR), len(CATEGORIES)),
                             (1 - _FAVOURITE_SHARE) / (len(CATEGORIES) - 1))
    for group, favourite in enumerate(PLANTED_FAVOURITE_CATEGORIES):
        category_probs[group, CATEGORIES.index(favourite)] = _FAVOURITE_SHARE
    order_group = labels[order_customer]
    lines = _order_lines(
        rng, order_value, returned,
        lambda line_order: _draw_categorical(rng, category_probs, order_group[line_order]))

    customers = _customers_table(customer_ids, start, signup_day, demo)
    orders = _orders_table(start, customer_ids, order_customer, order_day, order_status, lines)
    return customers, orders, labels

