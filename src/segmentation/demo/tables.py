"""Columns, ids and calendar shared by every generator, and the helpers that draw them.

Generation is vectorised over customers, orders and lines (no Python loop
over rows): 1,000,000 customers with ~20 lines each fit in a few GB and well
under a minute.

Conventions shared by every table built in this package:

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

import datetime as dt
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
# P(1), P(2), P(3) lines per order.
_LINES_PER_ORDER = np.array([0.55, 0.30, 0.15])
_MEAN_LINES_PER_ORDER = float(_LINES_PER_ORDER @ np.arange(1, 4))
_QUANTITY_EXTRA_MEAN = 0.3  # quantity is 1 + Poisson(this)


def _as_day(value: str | dt.date | np.datetime64) -> np.datetime64:
    return np.datetime64(value, "D")


def _order_window(start_date: str | dt.date, end_date: str | dt.date
                  ) -> tuple[np.datetime64, np.datetime64, int]:
    """(first day, last day, days in between inclusive) of a generator's orders."""
    start, end = _as_day(start_date), _as_day(end_date)
    n_days = int((end - start).astype(np.int64)) + 1
    if n_days < 1:
        raise ValueError("end_date must not be before start_date")
    return start, end, n_days


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


def _repeat_purchases(
    rng: np.random.Generator,
    first_day: np.ndarray,
    rate: np.ndarray,
    dropout: np.ndarray,
    season: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """BG/NBD purchases after each buyer's first, up to the last calendar day.

    first_day: (n,) int first purchase day; rate: (n,) purchases per day of
    season factor 1 while active; dropout: (n,) probability of leaving after
    each purchase; season: (n_days,) intensity per day. Time runs on a
    seasonal clock (cumulative intensity), on which purchases are a Poisson
    process; so the events left before end_date number Poisson(rate * time
    left) and are uniform on that clock. The customer leaves after a
    Geometric(dropout) number of purchases, so only the first
    ``geometric - 1`` events happen. Repeats fall on days after first_day.
    Returns (customer index into the n buyers, day), both (n_repeats,) int32.
    """
    clock = np.cumsum(season)  # seasonal time at the end of each day
    elapsed = clock[first_day]
    remaining = clock[-1] - elapsed
    n_events = rng.poisson(rate * remaining)
    customer = np.repeat(np.arange(first_day.shape[0], dtype=np.int32), n_events)
    position = rng.random(customer.shape[0])
    # Sort the events of each customer in time to keep the earliest ones.
    in_time = np.lexsort((position, customer))
    customer, position = customer[in_time], position[in_time]
    rank = np.arange(customer.shape[0]) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    kept = rank < rng.geometric(dropout)[customer] - 1
    customer, position = customer[kept], position[kept]
    moment = elapsed[customer] + position * remaining[customer]
    day = np.searchsorted(clock, moment, side="left")
    return customer, np.minimum(day, season.shape[0] - 1).astype(np.int32)


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


def _csv_ready(table: pa.Table) -> pa.Table:
    """Floats as decimal(18, 2), so text output always shows two decimals."""
    columns = [pc.cast(column, pa.decimal128(18, 2)) if pa.types.is_floating(column.type)
               else column for column in table.columns]
    return pa.table(columns, names=table.column_names)
