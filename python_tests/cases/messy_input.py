"""Messy inputs the build must accept and get right: a dirty export, values set
aside, ids without their leading zeros, no orders file, time zones, encodings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from cases.planted import planted_customers_csv
from segmentation.demo.dirty_export import make_dirty
from segmentation.demo.files import write_table
from segmentation.demo.personas import generate_company

AS_OF_DATE = "2025-06-30"


def case_dirty(input_dir: Path) -> tuple[dict, dict]:
    """A realistic export with every defect make_dirty plants, as CSV.

    Its orders run to 2025-12-31 and it is segmented as of AS_OF_DATE, so the
    same build also shows that later orders are left out (a build costs ~40 s
    of CPU, so this case serves the data-quality and the as_of_date tests).
    """
    customers, orders = generate_company(600, random_state=11)
    dirty_customers, dirty_orders, counts = make_dirty(customers, orders, random_state=1)
    write_table(dirty_customers, input_dir / "customers.csv", file_format="csv")
    write_table(dirty_orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir), "as_of_date": AS_OF_DATE}, {
        "customers": dirty_customers, "orders": dirty_orders, "counts": counts,
        "clean_customers": customers,
        "customers_path": input_dir / "customers.csv", "orders_path": input_dir / "orders.csv",
    }


def case_set_aside_quantities(input_dir: Path) -> tuple[dict, dict]:
    """Orders whose only defects are quantities that are kept but set aside.

    Every row is accepted, so rows read = rows accepted: only the count of
    lines with a set-aside value tells int_orders_with_issues to look.
    """
    customers, orders = generate_company(300, random_state=5)
    quantity = [str(q) for q in orders["quantity"].to_pylist()]
    bad = {3: "x", 10: "0", 25: "-2"}  # 0-based line -> raw quantity
    for line, raw in bad.items():
        quantity[line] = raw
    orders = orders.set_column(orders.schema.get_field_index("quantity"), "quantity",
                               pa.array(quantity))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {
        "orders": orders,
        "set_aside": {line + 1: raw for line, raw in bad.items()},  # 1-based file rows
    }


def case_no_orders(input_dir: Path) -> tuple[dict, dict]:
    """A customer master only (CSV), no orders file, default features."""
    customers, _ = generate_company(600, random_state=3)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    return {"input_dir": str(input_dir), "cross_sell": True}, {"customers": customers}


def case_unmatched_order_ids(input_dir: Path) -> tuple[dict, dict]:
    """A fifth of the order lines name their customer without the leading
    zeros the customers file writes ('42' for '000042'): the build goes on,
    and warns with the two forms side by side."""
    customers, orders = generate_company(300, random_state=4)
    ids = orders["customer_id"].to_pylist()
    stripped = {line for line in range(len(ids)) if line % 5 == 0}
    orders = orders.set_column(
        orders.schema.get_field_index("customer_id"), "customer_id",
        pa.array([i.lstrip("0") if line in stripped else i for line, i in enumerate(ids)]))
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    # The warning's first example: the smallest stripped id, as text sorts.
    example = min(ids[line].lstrip("0") for line in stripped)
    return {"input_dir": str(input_dir)}, {"stripped_lines": len(stripped),
                                           "lines": orders.num_rows,
                                           "example": (example, example.zfill(6))}


def case_zoned_timestamps(input_dir: Path) -> tuple[dict, dict]:
    """Order times as TIMESTAMP WITH TIME ZONE in Parquet, each at 23:30 UTC,
    built on a machine whose clock is in Tokyo (TZ), where it is already the
    next day: the dates must still be the UTC ones."""
    ids = [f"C{i:03d}" for i in range(1, 41)]
    write_table(pa.table({"customer_id": ids}), input_dir / "customers.parquet",
                file_format="parquet")
    customer_ids, times, amounts = [], [], []
    for number, customer_id in enumerate(ids):
        for order in range(1 + number % 5):
            customer_ids.append(customer_id)
            times.append(dt.datetime(2024, 1 + (number + order) % 12, 1 + number % 28, 23, 30,
                                     tzinfo=dt.UTC))
            amounts.append(10.0 + 7 * number + order)
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(len(times))],
        "customer_id": customer_ids,
        "order_date": pa.array(times, type=pa.timestamp("us", tz="UTC")),
        "amount": amounts,
    })
    write_table(orders, input_dir / "orders.parquet", file_format="parquet")
    utc_dates = {}
    for customer_id, moment in zip(customer_ids, times, strict=True):
        utc_dates[customer_id] = max(utc_dates.get(customer_id, moment.date()), moment.date())
    return {"input_dir": str(input_dir)}, {"env": {"TZ": "Asia/Tokyo"},
                                           "last_purchase_dates": utc_dates}


def case_local_today(input_dir: Path) -> tuple[dict, dict]:
    """An order dated today and one dated tomorrow on the clock of a machine
    in a zone whose date differs from UTC's right now: east of UTC (Kiritimati,
    UTC+14) from 10:00 UTC, else west (Pago Pago, UTC-11). "Future" must mean
    after the machine's local today, not after UTC's."""
    from zoneinfo import ZoneInfo

    zone = "Pacific/Kiritimati" if dt.datetime.now(dt.UTC).hour >= 10 else "Pacific/Pago_Pago"
    today = dt.datetime.now(ZoneInfo(zone)).date()
    ids = [f"C{i:03d}" for i in range(1, 31)]
    customers = pa.table({
        "customer_id": ids,
        "signup_date": [f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(30)],
    })
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    dates = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(58)]
    dates += [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]
    orders = pa.table({
        "order_id": [f"O{i:04d}" for i in range(1, 61)],
        "customer_id": [ids[i % len(ids)] for i in range(60)],
        "order_date": dates,
        "amount": [10.0 + i for i in range(60)],
    })
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir)}, {"env": {"TZ": zone}, "today": today}


def case_latin1_csv(input_dir: Path) -> tuple[dict, dict]:
    """The planted customers as a Latin-1 CSV (a Windows export) with an
    accented country, read with var csv_encoding."""
    customers, _ = planted_customers_csv(input_dir, renamed=False, n_per_group=10)
    countries = ["Österreich" if i % 2 else "España" for i in range(customers.num_rows)]
    text = customers.append_column("country", pa.array(countries)).to_pandas().to_csv(index=False)
    (input_dir / "customers.csv").write_bytes(text.encode("latin-1"))
    return {"input_dir": str(input_dir), "csv_encoding": "latin-1"}, {"countries": set(countries)}


# Spellings an export mixes for one level, per clean level: what the build must
# count as that level (case, whitespace, ISO codes, abbreviations).
GENDER_SPELLINGS = {"female": ["F", "Female ", "FEMALE"], "male": ["M", "Male", "MALE"]}
COUNTRY_SPELLINGS = {"Germany": ["DE", "deu", "germany"], "France": ["FR", "fr", "FRANCE"],
                     "United Kingdom": ["UK", "GB", "united  kingdom"]}
CATEGORY_SPELLINGS = {"books": ["Books", " BOOKS"], "home": ["Home", "HOME "]}
# Extra headers that are one name in snake_case, and the names they must get.
EXTRA_HEADERS = {"Loyalty Tier": "extra__loyalty_tier", "LoyaltyTier": "extra__loyalty_tier_2",
                 "Spend (k$)": "extra__spend_k"}


def _respell(values: list, spellings: dict[str, list[str]]) -> list:
    """Every other value with a listed level, in turn, as one of its spellings."""
    seen: dict[str, int] = {}
    out = []
    for value in values:
        if value in spellings and seen.setdefault(value, 0) % 2 == 1:
            variants = spellings[value]
            out.append(variants[(seen[value] // 2) % len(variants)])
        else:
            out.append(value)
        if value in spellings:
            seen[value] += 1
    return out


def case_mixed_spellings(input_dir: Path) -> tuple[dict, dict]:
    """One level written many ways, and extra headers with spaces and capitals.

    Half of each listed level's values are rewritten as other spellings (M,
    Female , DE, fr, UK, ' BOOKS'); the build must count them as the clean
    level. Gender and country are clustering features here, so a split level
    would also be a split one-hot column.
    """
    customers, orders = generate_company(240, random_state=3)
    mixed_customers = customers
    for column, spellings in (("gender", GENDER_SPELLINGS), ("country", COUNTRY_SPELLINGS)):
        mixed_customers = mixed_customers.set_column(
            mixed_customers.schema.get_field_index(column), column,
            pa.array(_respell(customers[column].to_pylist(), spellings), pa.string()))
    for index, header in enumerate(EXTRA_HEADERS):
        mixed_customers = mixed_customers.append_column(
            header, pa.array([f"{header}:{i % (index + 2)}" for i in range(customers.num_rows)]))
    mixed_orders = orders.set_column(
        orders.schema.get_field_index("category"), "category",
        pa.array(_respell(orders["category"].to_pylist(), CATEGORY_SPELLINGS), pa.string()))
    write_table(mixed_customers, input_dir / "customers.csv", file_format="csv")
    write_table(mixed_orders, input_dir / "orders.csv", file_format="csv")
    features = ["recency_days", "frequency", "monetary", "gender", "country"]
    return {"input_dir": str(input_dir), "features": features}, {
        "customers": customers, "orders": orders, "mixed_customers": mixed_customers}
