"""Deterministic synthetic company data: a customer master and order lines.

Everything is drawn from one ``numpy.random.Generator`` seeded by
``random_state``, so the same arguments give the same tables and, once written,
byte-identical files. Generation is vectorised over customers, orders and lines
(no Python loop over rows): 1,000,000 customers with ~20 lines each fit in a few
GB and well under a minute.

Conventions shared by every table built here:

* ``customer_id`` and ``order_id`` are zero-padded decimal *strings*
  (``"000042"``, ``"O00000042"``); the leading zeros are part of the id.
* Days are handled internally as int32 offsets from ``start_date`` and returned
  as Arrow ``date32``.
* Money is in currency units rounded to cents; ``annual_income`` is in
  thousands.
* An orders table has one row per order *line*. The lines of an order share
  ``order_id``, ``customer_id``, ``order_date`` and ``status``. A returned order
  keeps status ``"returned"`` and carries the refunded (negative) line amounts;
  a cancelled order keeps its positive amounts and status ``"cancelled"``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

DEFAULT_START_DATE = "2024-01-01"
DEFAULT_END_DATE = "2025-12-31"
# Signup dates reach this far before start_date: the CRM is older than the
# order history we export.
SIGNUP_LOOKBACK_DAYS = 730

CATEGORIES = ("electronics", "fashion", "home", "beauty", "sports", "books", "grocery")
# Relative price level per category, in CATEGORIES order: a line's share of its
# order's value scales with it, so electronics lines are large and grocery small.
_CATEGORY_PRICE = np.array([3.0, 1.0, 1.8, 0.7, 1.3, 0.5, 0.4])
COUNTRIES = ("Germany", "France", "United Kingdom", "Netherlands", "Spain", "Italy")
_COUNTRY_SHARES = (0.30, 0.20, 0.18, 0.12, 0.12, 0.08)
GENDERS = ("female", "male", "other")
# The last share is a missing gender (null), as optional CRM fields often are.
_GENDER_SHARES = (0.48, 0.46, 0.03, 0.03)
STATUSES = ("completed", "returned", "cancelled")
_RETURNED = STATUSES.index("returned")
_CANCEL_RATE = 0.03
# P(1), P(2), P(3) lines per order.
_LINES_PER_ORDER = np.array([0.55, 0.30, 0.15])
_MEAN_LINES_PER_ORDER = float(_LINES_PER_ORDER @ np.arange(1, 4))
_QUANTITY_EXTRA_MEAN = 0.3  # quantity is 1 + Poisson(this)


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
# generate_planted_company: the category each group (champions, lapsed, mid,
# big_single) buys in _FAVOURITE_SHARE of its order lines.
PLANTED_FAVOURITE_CATEGORIES = ("electronics", "grocery", "fashion", "home")
_FAVOURITE_SHARE = 0.55
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

CUSTOMER_DEFECTS = (
    "customers_duplicate_rows",
    "customers_conflicting_duplicates",
    "customers_missing_id",
    "customers_bad_age",
    "customers_bad_signup_date",
    "customers_bad_income",
)
ORDER_DEFECTS = (
    "orders_missing_order_id",
    "orders_missing_customer_id",
    "orders_bad_date",
    "orders_future_date",
    "orders_bad_amount",
    "orders_orphan",
    "orders_extra_returns",
)
_BLANKS = (None, "", "   ")
_BAD_AGES = ("abc", "unknown", "about 30", "thirty")
_BAD_DATES = ("not a date", "2024-13-45", "yesterday", "2023-02-30", "00/00/0000")
_FUTURE_DATES = ("2999-01-01", "2100-07-04", "9999-12-31")
_BAD_NUMBERS = ("lots", "unknown", "#VALUE!", "?")
_BAD_AMOUNTS = ("12,5x", "free", "n/a", "#VALUE!")


# --------------------------------------------------------------------------- helpers


def _as_day(value: str | dt.date | np.datetime64) -> np.datetime64:
    return np.datetime64(value, "D")


def _date_array(origin: np.datetime64, days: np.ndarray) -> pa.Array:
    """(n,) int day offsets from ``origin`` -> Arrow date32 array."""
    epoch_days = days.astype(np.int32) + np.int32(origin.astype(np.int64))
    return pa.array(epoch_days, pa.int32()).cast(pa.date32())


def _fixed_width_ids(numbers: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    """Zero-padded decimal ids as an Arrow string array.

    numbers: (n,) non-negative ints below ``10**width``. Returns n strings of
    ``len(prefix) + width`` ASCII characters, e.g. ``(42, width=8, prefix="O")``
    -> ``"O00000042"``. The bytes are written straight into the Arrow buffers:
    formatting 20M ids through Python strings or ``utf8_lpad`` costs seconds.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= 10**width):
        raise ValueError(f"ids must lie in [0, 10**{width})")
    if numbers.size * (len(prefix) + width) >= 2**31:
        raise ValueError("too many ids for a 32-bit-offset string array")
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    size = head.size + width
    chars = np.empty((numbers.size, size), dtype=np.uint8)
    chars[:, : head.size] = head
    rest = numbers.copy()
    for column in range(size - 1, head.size - 1, -1):
        rest, chars[:, column] = np.divmod(rest, 10)
    chars[:, head.size :] += ord("0")
    offsets = np.arange(0, numbers.size * size + 1, size, dtype=np.int32)
    return pa.StringArray.from_buffers(numbers.size, pa.py_buffer(offsets), pa.py_buffer(chars))


def _id_width(largest: int, minimum: int) -> int:
    return max(minimum, len(str(largest)))


def _allocate(n: int, shares: np.ndarray) -> np.ndarray:
    """Split n into integer counts proportional to shares (largest remainder)."""
    exact = n * shares / shares.sum()
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[: n - counts.sum()]] += 1
    return counts


def _draw_categorical(rng: np.random.Generator, probs: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One draw per row from that row's group distribution.

    probs: (n_groups, n_categories), rows summing to 1. group: (n,) int codes
    into probs. Returns (n,) int8 category codes. Loops over groups, not rows.
    """
    cumulative = np.cumsum(probs, axis=1)
    uniform = rng.random(group.shape[0])
    codes = np.empty(group.shape[0], dtype=np.int8)
    for g in range(probs.shape[0]):
        rows = group == g
        drawn = np.searchsorted(cumulative[g], uniform[rows], side="right")
        # Float rounding can leave the last cumulative value just below 1.
        codes[rows] = np.minimum(drawn, probs.shape[1] - 1)
    return codes


def _demographics(
    rng: np.random.Generator,
    age_mean: np.ndarray,
    income_median: np.ndarray,
    score_mean: np.ndarray,
) -> dict[str, np.ndarray]:
    """Customer attributes scattered around per-customer centres.

    All inputs are (n,): mean age in years, median income in thousands, mean
    spending score. Returns (n,) arrays: ``age`` int32 in [18, 85],
    ``annual_income`` float64 in [15, 150] thousands (1 decimal),
    ``spending_score`` int32 in [1, 100], ``gender`` int8 codes into GENDERS
    (``len(GENDERS)`` = null) and ``country`` int8 codes into COUNTRIES.
    """
    n = age_mean.shape[0]
    age = np.clip(np.rint(rng.normal(age_mean, 10.0)), 18, 85).astype(np.int32)
    income = np.clip(np.round(income_median * rng.lognormal(0.0, 0.3, n), 1), 15.0, 150.0)
    score = np.clip(np.rint(rng.normal(score_mean, 12.0)), 1, 100).astype(np.int32)
    gender = rng.choice(len(_GENDER_SHARES), size=n, p=_GENDER_SHARES).astype(np.int8)
    country = rng.choice(len(COUNTRIES), size=n, p=_COUNTRY_SHARES).astype(np.int8)
    return {"age": age, "annual_income": income, "spending_score": score,
            "gender": gender, "country": country}


def _customers_table(
    customer_ids: pa.Array, start: np.datetime64, signup_day: np.ndarray, demo: dict
) -> pa.Table:
    """Assemble the customer master from (n,) arrays (see ``_demographics``)."""
    gender_values = pa.array([*GENDERS, None], pa.string())
    return pa.table({
        "customer_id": customer_ids,
        "signup_date": _date_array(start, signup_day),
        "age": pa.array(demo["age"]),
        "gender": gender_values.take(pa.array(demo["gender"])),
        "country": pa.array(COUNTRIES, pa.string()).take(pa.array(demo["country"])),
        "annual_income": pa.array(demo["annual_income"]),
        "spending_score": pa.array(demo["spending_score"]),
    })


def _order_calendar(
    rng: np.random.Generator, n_orders: np.ndarray, first_day: np.ndarray, last_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Place every customer's orders in time.

    n_orders, first_day, last_day: (n_customers,) ints; days are offsets from
    start_date with first_day <= last_day. A customer's first order falls on
    last_day and its second (if any) on first_day, so both ends of the window
    are real; the rest fall uniformly between. Returns (order_customer,
    order_day), both (n_orders.sum(),) int32, sorted by day so that order
    numbers increase with time.
    """
    order_customer = np.repeat(np.arange(n_orders.shape[0], dtype=np.int32), n_orders)
    position = rng.random(order_customer.shape[0])
    first_of_customer = np.cumsum(n_orders) - n_orders
    position[first_of_customer[n_orders >= 1]] = 1.0
    position[first_of_customer[n_orders >= 2] + 1] = 0.0
    low = first_day[order_customer]
    order_day = low + np.rint(position * (last_day[order_customer] - low)).astype(np.int32)
    # NumPy radix-sorts 16-bit keys (linear time); any realistic calendar fits.
    key = order_day.astype(np.int16) if order_day.max(initial=0) < 2**15 else order_day
    chronological = np.argsort(key, kind="stable")
    return order_customer[chronological], order_day[chronological]


def _order_lines(
    rng: np.random.Generator,
    order_value: np.ndarray,
    order_returned: np.ndarray,
    line_categories: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split each order into 1-3 lines.

    order_value: (n_orders,) float, order value in currency. order_returned:
    (n_orders,) bool. line_categories(line_order) draws each line's category
    (int8 codes into CATEGORIES) from the (n_lines,) order index of the lines,
    with the same rng. Returns (line_order int32 index into orders, category
    int8 codes, quantity int32 >= 1, amount float64 in cents precision,
    negative on returned orders), each (n_lines,). Lines of one order sum to
    its value up to rounding.
    """
    n_orders = order_value.shape[0]
    lines = rng.choice(np.arange(1, 4), size=n_orders, p=_LINES_PER_ORDER)
    line_order = np.repeat(np.arange(n_orders, dtype=np.int32), lines)
    n_lines = line_order.shape[0]
    category = line_categories(line_order)
    quantity = (1 + rng.poisson(_QUANTITY_EXTRA_MEAN, n_lines)).astype(np.int32)
    weight = rng.gamma(2.0, size=n_lines) * _CATEGORY_PRICE[category] * quantity
    order_weight = np.bincount(line_order, weights=weight, minlength=n_orders)
    amount = np.round(order_value[line_order] * weight / order_weight[line_order], 2)
    np.maximum(amount, 0.01, out=amount)
    amount[order_returned[line_order]] *= -1.0
    return line_order, category, quantity, amount


def _orders_table(
    start: np.datetime64,
    customer_ids: pa.Array,
    order_customer: np.ndarray,
    order_day: np.ndarray,
    order_status: np.ndarray,
    lines: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> pa.Table:
    """Assemble order lines; order-level (n_orders,) arrays are broadcast to lines.

    Order ids number orders 1..n_orders in the given (chronological) order.
    """
    line_order, category, quantity, amount = lines
    n_orders = order_day.shape[0]
    line_customer = order_customer[line_order]
    return pa.table({
        "order_id": _fixed_width_ids(line_order + 1, _id_width(n_orders, 8), prefix="O"),
        "customer_id": customer_ids.take(pa.array(line_customer)),
        "order_date": _date_array(start, order_day[line_order]),
        "amount": pa.array(amount),
        "category": pa.array(CATEGORIES, pa.string()).take(pa.array(category)),
        "status": pa.array(STATUSES, pa.string()).take(pa.array(order_status[line_order])),
        "quantity": pa.array(quantity),
    })


# --------------------------------------------------------------------------- company


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


def _activity_window(
    rng: np.random.Generator,
    recency_days: np.ndarray,
    span_days: np.ndarray,
    n_days: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(first_day, last_day) offsets from start_date, each (n,) int32.

    recency_days and span_days: (n, 2) inclusive ranges per customer. Windows
    are clipped into the calendar [0, n_days - 1].
    """
    recency = rng.integers(recency_days[:, 0], recency_days[:, 1] + 1)
    span = rng.integers(span_days[:, 0], span_days[:, 1] + 1)
    last_day = np.clip(n_days - 1 - recency, 0, n_days - 1).astype(np.int32)
    first_day = np.clip(last_day - span, 0, None).astype(np.int32)
    return first_day, last_day


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
    start, end = _as_day(start_date), _as_day(end_date)
    n_days = int((end - start).astype(np.int64)) + 1
    if n_days < 1:
        raise ValueError("end_date must not be before start_date")
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


# --------------------------------------------------------------------------- planted


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


# --------------------------------------------------------------------------- dirty


def _csv_ready(table: pa.Table) -> pa.Table:
    """Floats as decimal(18, 2), so text output always shows two decimals."""
    columns = [pc.cast(column, pa.decimal128(18, 2)) if pa.types.is_floating(column.type)
               else column for column in table.columns]
    return pa.table(columns, names=table.column_names)


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as strings, formatted as a CSV export would carry them."""
    table = _csv_ready(table)
    return pa.table([pc.cast(column, pa.string()).combine_chunks() for column in table.columns],
                    names=table.column_names)


def _pick(rng: np.random.Generator, pool: tuple[str | None, ...], size: int) -> pa.Array:
    return pa.array(pool, pa.string()).take(pa.array(rng.integers(0, len(pool), size)))


def _overwrite(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array) -> pa.Table:
    """Set ``table[column][rows] = values``; values align with sorted rows."""
    mask = np.zeros(table.num_rows, dtype=bool)
    mask[rows] = True
    replaced = pc.replace_with_mask(table[column].combine_chunks(), pa.array(mask), values)
    return table.set_column(table.column_names.index(column), column, replaced)


def _replace_columns(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    for name, values in columns.items():
        table = table.set_column(table.column_names.index(name), name, values)
    return table


def _interleave(rng: np.random.Generator, table: pa.Table, extra: pa.Table) -> pa.Table:
    """Insert the rows of extra at random positions, keeping table's row order."""
    n = table.num_rows
    key = np.concatenate([np.arange(n), rng.integers(0, n + 1, extra.num_rows)])
    return pa.concat_tables([table, extra]).take(pa.array(np.argsort(key, kind="stable")))


def _defect_counts(
    rng: np.random.Generator, kinds: tuple[str, ...], n_rows: int, rate: float
) -> dict[str, int]:
    counts = np.maximum(rng.binomial(n_rows, rate, len(kinds)), 1)
    return dict(zip(kinds, counts.tolist(), strict=True))


def _dirty_customers(
    rng: np.random.Generator, customers: pa.Table, rate: float
) -> tuple[pa.Table, dict[str, int]]:
    text = _as_text(customers)
    counts = _defect_counts(rng, CUSTOMER_DEFECTS, text.num_rows, rate)
    if sum(counts.values()) > text.num_rows:
        raise ValueError("customers table too small for the requested defect_rate")
    # Distinct rows per defect, so every dirty row has exactly one defect.
    chosen = rng.choice(text.num_rows, size=sum(counts.values()), replace=False)
    rows = dict(zip(counts, np.split(chosen, np.cumsum(list(counts.values()))[:-1]),
                    strict=True))

    for kind, column, pool in (("customers_bad_age", "age", _BAD_AGES),
                               ("customers_bad_signup_date", "signup_date", _BAD_DATES),
                               ("customers_bad_income", "annual_income", _BAD_NUMBERS)):
        text = _overwrite(text, column, np.sort(rows[kind]),
                          _pick(rng, pool, counts[kind]))

    duplicates = text.take(pa.array(rows["customers_duplicate_rows"]))

    conflicting = text.take(pa.array(rows["customers_conflicting_duplicates"]))
    n_conflicting = conflicting.num_rows
    age = pc.cast(conflicting["age"], pa.int64()).to_numpy()
    # A non-zero shift modulo the valid range changes the age but keeps it valid.
    new_age = 18 + (age - 18 + rng.integers(1, 68, n_conflicting)) % 68
    income = pc.cast(conflicting["annual_income"], pa.float64()).to_numpy()
    new_income = np.round(income * rng.uniform(1.1, 1.5, n_conflicting), 1)
    conflicting = _replace_columns(conflicting, {
        "age": pc.cast(pa.array(new_age), pa.string()),
        "annual_income": _as_text(pa.table({"x": new_income}))["x"],
    })

    missing = _replace_columns(text.take(pa.array(rows["customers_missing_id"])), {
        "customer_id": _pick(rng, _BLANKS, counts["customers_missing_id"])})

    extra = pa.concat_tables([duplicates, conflicting, missing])
    return _interleave(rng, text, extra), counts


def _dirty_orders(
    rng: np.random.Generator, orders: pa.Table, customer_ids: pa.ChunkedArray, rate: float
) -> tuple[pa.Table, dict[str, int]]:
    text = _as_text(orders)
    n = text.num_rows
    counts = _defect_counts(rng, ORDER_DEFECTS, n, rate)
    in_place = [kind for kind in ORDER_DEFECTS if kind != "orders_extra_returns"]
    n_in_place = sum(counts[kind] for kind in in_place)
    shuffled = rng.permutation(n)
    chosen = shuffled[:n_in_place]
    rows = dict(zip(in_place, np.split(chosen, np.cumsum([counts[k] for k in in_place])[:-1]),
                    strict=True))
    # Return lines copy completed lines that are not corrupted themselves.
    rest = shuffled[n_in_place:]
    completed = pc.equal(text["status"], "completed").to_numpy(zero_copy_only=False)
    sources = rest[completed[rest]][: counts["orders_extra_returns"]]
    if sources.shape[0] < counts["orders_extra_returns"]:
        raise ValueError("orders table too small for the requested defect_rate")

    id_numbers = pc.cast(customer_ids, pa.int64())
    first_orphan = pc.max(id_numbers).as_py() + 1
    n_orphan = counts["orders_orphan"]
    orphan_numbers = first_orphan + rng.integers(0, 10 * n_orphan, n_orphan)
    orphan_ids = _fixed_width_ids(
        orphan_numbers, _id_width(int(orphan_numbers.max()), len(customer_ids[0].as_py())))

    for kind, column, values in (
        ("orders_missing_order_id", "order_id", _BLANKS),
        ("orders_missing_customer_id", "customer_id", _BLANKS),
        ("orders_bad_date", "order_date", _BAD_DATES),
        ("orders_future_date", "order_date", _FUTURE_DATES),
        ("orders_bad_amount", "amount", _BAD_AMOUNTS),
        ("orders_orphan", "customer_id", orphan_ids),
    ):
        if isinstance(values, tuple):
            values = _pick(rng, values, counts[kind])
        text = _overwrite(text, column, np.sort(rows[kind]), values)

    n_returns = counts["orders_extra_returns"]
    returns = text.take(pa.array(sources))
    # A return is booked 1-30 days after the purchase, but not after the export.
    last_day = pc.max(pc.cast(orders["order_date"], pa.int32())).as_py()
    purchase_day = pc.cast(pc.cast(returns["order_date"], pa.date32()), pa.int32()).to_numpy()
    return_day = np.minimum(purchase_day + rng.integers(1, 31, n_returns), last_day)
    returns = _replace_columns(returns, {
        "order_id": _fixed_width_ids(np.arange(1, n_returns + 1), _id_width(n_returns, 8),
                                     prefix="R"),
        "order_date": pa.array(return_day.astype(np.int32)).cast(pa.date32()).cast(pa.string()),
        "amount": pc.binary_join_element_wise("-", returns["amount"], ""),
        "status": pa.repeat("returned", n_returns),
    })
    return _interleave(rng, text, returns), counts


def make_dirty(
    customers: pa.Table,
    orders: pa.Table,
    *,
    defect_rate: float = 0.01,
    random_state: int = 0,
) -> tuple[pa.Table, pa.Table, dict[str, int]]:
    """Turn a clean export into what a real CRM/shop export looks like.

    Takes tables shaped like ``generate_company`` output (numeric customer ids).
    Every column is first converted to strings as a CSV carries them (ISO
    dates, two-decimal floats, nulls stay null). Then, per defect kind, about
    ``defect_rate`` of the rows (Binomial, at least 1) are corrupted or added.
    Every corrupted or added row has exactly one defect, so each count can be
    checked on its own. Added rows are inserted at random positions.

    Customer defects (CUSTOMER_DEFECTS):

    * ``customers_duplicate_rows``: added exact copies of existing rows.
    * ``customers_conflicting_duplicates``: added rows reusing an existing
      customer_id with a different, still valid age and annual_income.
    * ``customers_missing_id``: added rows with customer_id null, "" or blanks.
    * ``customers_bad_age``: age replaced by text such as "abc".
    * ``customers_bad_signup_date``: signup_date replaced by an unparseable
      value such as "not a date" or "2023-02-30".
    * ``customers_bad_income``: annual_income replaced by text such as "lots".

    Order line defects (ORDER_DEFECTS):

    * ``orders_missing_order_id``: order_id set to null, "" or blanks.
    * ``orders_missing_customer_id``: customer_id set to null, "" or blanks.
    * ``orders_bad_date``: unparseable order_date ("2024-13-45", "yesterday").
    * ``orders_future_date``: order_date far in the future (year >= 2100).
    * ``orders_bad_amount``: non-numeric amount ("12,5x", "free").
    * ``orders_orphan``: customer_id of a well-formed id absent from customers.
    * ``orders_extra_returns``: added return lines: a copy of a completed line
      with order_id "R" + 8 digits, order_date 1-30 days later (capped at the
      last order date), negated amount and status "returned". These are valid
      rows, not errors.

    Returns
    -------
    customers, orders : all-string tables with the input column names.
    counts : {kind: number of rows} for every kind above.
    """
    if not 0.0 < defect_rate < 1.0:
        raise ValueError("defect_rate must be in (0, 1)")
    rng = np.random.default_rng(random_state)
    dirty_customers, customer_counts = _dirty_customers(rng, customers, defect_rate)
    dirty_orders, order_counts = _dirty_orders(
        rng, orders, customers["customer_id"], defect_rate)
    return dirty_customers, dirty_orders, {**customer_counts, **order_counts}


# --------------------------------------------------------------------------- files


def write_table(table: pa.Table, path: str | Path, *, file_format: str) -> None:
    """Write one table as "csv" (header, ISO dates, two-decimal floats, nulls
    as empty fields, strings quoted) or "parquet"."""
    if file_format == "csv":
        pa_csv.write_csv(_csv_ready(table), path)
    elif file_format == "parquet":
        pq.write_table(table, path)
    else:
        raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")


def write_company(
    out_dir: str | Path,
    n_customers: int,
    *,
    file_format: str = "csv",
    prefix: str = "",
    mean_order_lines: float = 12.0,
    random_state: int = 42,
    shape: str = "personas",
) -> dict[str, dict[str, str | int]]:
    """Generate a company and write ``{prefix}customers.{ext}`` and
    ``{prefix}orders.{ext}`` into out_dir (created if missing).

    shape "personas" writes ``generate_company``; "realistic" writes
    ``realistic_shop.generate_realistic_shop`` (no planted segments; it
    ignores mean_order_lines). Returns {"customers": {"path": str, "rows":
    int}, "orders": {...}}.
    """
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format must be 'csv' or 'parquet', got {file_format!r}")
    if shape == "personas":
        customers, orders = generate_company(
            n_customers, mean_order_lines=mean_order_lines, random_state=random_state)
    elif shape == "realistic":
        # Imported here: realistic_shop imports this module.
        from segmentation.realistic_shop import generate_realistic_shop

        customers, orders = generate_realistic_shop(n_customers, random_state=random_state)
    else:
        raise ValueError(f"shape must be 'personas' or 'realistic', got {shape!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, str | int]] = {}
    for name, table in (("customers", customers), ("orders", orders)):
        path = out / f"{prefix}{name}.{file_format}"
        write_table(table, path, file_format=file_format)
        written[name] = {"path": str(path), "rows": table.num_rows}
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic company, e.g. as dbt seeds."""
    parser = argparse.ArgumentParser(
        prog="python -m segmentation.demo_data", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, required=True, help="number of customers")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--prefix", default="", help="file name prefix, e.g. demo_")
    parser.add_argument("--format", dest="file_format", choices=("csv", "parquet"),
                        default="csv")
    parser.add_argument("--mean-order-lines", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--shape", choices=("personas", "realistic"), default="personas",
                        help="planted personas, or a realistic shop without planted segments")
    args = parser.parse_args(argv)
    written = write_company(args.out, args.customers, file_format=args.file_format,
                            prefix=args.prefix, mean_order_lines=args.mean_order_lines,
                            random_state=args.seed, shape=args.shape)
    for name, info in written.items():
        print(f"wrote {info['path']} ({info['rows']} {name} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
