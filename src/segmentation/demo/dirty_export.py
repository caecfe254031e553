"""Turning a clean company into a messy export, with every defect counted.

``make_dirty`` converts the tables to text as a CSV carries them and plants
defects a real CRM/shop export has (duplicates, missing ids, unparseable
values, orphans, extra return lines), so the cleaning can be checked against
the exact counts.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from segmentation.demo.tables import _csv_ready, _fixed_width_ids, _id_width

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

