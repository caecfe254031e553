"""A dirty export (demo.dirty_export.make_dirty) through `dbt build`: quarantine, reconciliation."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest

from build_checks import csv_data_rows
from dbt_runner import DbtBuild

# make_dirty's defect kinds -> rejection_reason of int_*_validated.
# Duplicate customers name the kept row: 'duplicate customer_id (kept source row N)'.
EXPECTED_REASONS = {
    ("customers", "duplicate customer_id"): [
        "customers_duplicate_rows", "customers_conflicting_duplicates"],
    ("customers", "missing customer_id"): ["customers_missing_id"],
    ("orders", "missing order_id"): ["orders_missing_order_id"],
    ("orders", "missing customer_id"): ["orders_missing_customer_id"],
    ("orders", "unparseable order_date"): ["orders_bad_date"],
    ("orders", "order_date in the future"): ["orders_future_date"],
    ("orders", "non-numeric amount"): ["orders_bad_amount"],
    ("orders", "unknown customer_id"): ["orders_orphan"],
}
KEPT_ROW = re.compile(r"duplicate customer_id \(kept source row (\d+)\)")


@pytest.fixture(scope="module")
def dirty(build_dirty) -> DbtBuild:
    assert build_dirty.succeeded, build_dirty.describe()
    assert "Traceback" not in build_dirty.output
    return build_dirty


def text(value) -> str | None:
    """A raw value as the models see it: trimmed, with blank meaning missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value).strip() or None


def blank(value) -> bool:
    return text(value) is None


def parses_as_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def parses_as_date(value) -> bool:
    try:
        dt.date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        return False
    return True


def test_reconciliation_adds_up(dirty):
    reconciliation = dirty.table("input_reconciliation").set_index("source")
    assert sorted(reconciliation.index) == ["customers", "orders"]
    for source in ("customers", "orders"):
        row = reconciliation.loc[source]
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
        path = dirty.info[f"{source}_path"]
        assert row["rows_read"] == csv_data_rows(path) == dirty.info[source].num_rows
        assert row["source_file"] == str(path)


def test_reconciliation_counts_rows_with_bad_values(dirty):
    counts = dirty.info["counts"]
    reconciliation = dirty.table("input_reconciliation").set_index("source")
    bad_values = (counts["customers_bad_age"] + counts["customers_bad_signup_date"]
                  + counts["customers_bad_income"])
    assert reconciliation.loc["customers", "rows_with_quarantined_values"] == bad_values


def test_quarantined_rows_by_reason_match_planted_defects(dirty):
    counts = dirty.info["counts"]
    rows = dirty.query("select source, rejection_reason from quarantined_rows")
    found = Counter(
        (source, KEPT_ROW.sub("duplicate customer_id", reason))
        for source, reason in zip(rows["source"], rows["rejection_reason"], strict=True))
    expected = {key: sum(counts[kind] for kind in kinds)
                for key, kinds in EXPECTED_REASONS.items()}
    assert dict(found) == expected


def test_reconciliation_matches_quarantine(dirty):
    reconciliation = dirty.table("input_reconciliation").set_index("source")
    rows = dirty.query("select source, count(*) as n from quarantined_rows group by source")
    assert dict(zip(rows["source"], rows["n"], strict=True)) == {
        source: reconciliation.loc[source, "rows_quarantined"]
        for source in ("customers", "orders")}


def test_duplicate_customers_name_a_kept_row_with_the_same_id(dirty):
    """'kept source row N' points at the 1-based data row N of the file, with the same id."""
    customers = dirty.info["customers"]
    ids = customers["customer_id"].to_pylist()
    rows = dirty.query(
        "select source_row_number, record_id, rejection_reason from quarantined_rows "
        "where source = 'customers' and rejection_reason like 'duplicate%'")
    accepted = set(dirty.query("select customer_id from int_customers_cleaned")["customer_id"])
    for row_number, record_id, reason in rows.itertuples(index=False):
        kept = int(KEPT_ROW.fullmatch(reason).group(1))
        assert text(ids[row_number - 1]) == text(record_id)
        assert text(ids[kept - 1]) == text(record_id)
        assert kept != row_number
        assert text(record_id) in accepted


def test_quarantined_rows_point_at_their_source_rows(dirty):
    """source_row_number and record_id agree with the file for every quarantined row."""
    for source, id_column in (("customers", "customer_id"), ("orders", "order_id")):
        values = dirty.info[source][id_column].to_pylist()
        rows = dirty.query(
            "select source_row_number, record_id from quarantined_rows where source = ?",
            [source])
        for row_number, record_id in rows.itertuples(index=False):
            assert text(values[row_number - 1]) == text(record_id)


def test_every_accepted_customer_segmented_once(dirty):
    """Every accepted customer who had started by as_of_date is segmented, once.

    Started: signed up by then (or signup unknown), or an accepted order by then.
    """
    customers = dirty.info["customers"]
    accepted = {text(i) for i in customers["customer_id"].to_pylist() if not blank(i)}
    assert accepted == set(dirty.info["clean_customers"]["customer_id"].to_pylist())
    as_of = dt.date.fromisoformat(dirty.vars["as_of_date"])
    started = set(dirty.query("""
        select customer_id from int_customers_cleaned as customers
        where customers.signup_date is null or customers.signup_date <= ?
            or exists (select 1 from int_order_lines_cleaned as lines
                       where lines.customer_id = customers.customer_id and lines.order_date <= ?)
    """, [as_of, as_of])["customer_id"])
    assert started <= accepted and len(started) < len(accepted)  # the file runs past as_of
    dim = dirty.query("select customer_id, segment_id from dim_customer_segments")
    assert dim["customer_id"].is_unique
    assert set(dim["customer_id"]) == started
    assert dim["segment_id"].notna().all()


def test_quarantined_values_list_bad_attributes(dirty):
    """Bad ages, incomes and signup dates are listed with their file row, the row kept."""
    customers = dirty.info["customers"].to_pylist()
    checks = {"age": parses_as_number, "annual_income": parses_as_number,
              "signup_date": parses_as_date}
    expected = set()
    for row_number, row in enumerate(customers, start=1):
        for column, parses in checks.items():
            if not blank(row[column]) and not parses(row[column]):
                expected.add((row_number, row["customer_id"], column, row[column]))
    counts = dirty.info["counts"]
    assert Counter(column for *_, column, _ in expected) == {
        "age": counts["customers_bad_age"],
        "annual_income": counts["customers_bad_income"],
        "signup_date": counts["customers_bad_signup_date"]}

    values = dirty.query(
        "select source_row_number, record_id, column_name, raw_value from quarantined_values "
        "where source = 'customers'")
    found = set(values.itertuples(index=False, name=None))
    assert found == expected


def test_bad_values_become_missing_not_rejections(dirty):
    values = dirty.query("select record_id from quarantined_values where source = 'customers'")
    rejected = dirty.query(
        "select record_id from quarantined_rows where source = 'customers' "
        "and rejection_reason not like 'duplicate%'")
    accepted = set(dirty.query("select customer_id from int_customers_cleaned")["customer_id"])
    assert set(values["record_id"]) <= accepted
    assert not set(values["record_id"]) & set(rejected["record_id"].dropna())


def test_extra_returns_are_accepted(dirty):
    counts = dirty.info["counts"]
    accepted_returns = dirty.query(
        "select count(*) as n from int_orders_validated "
        "where rejection_reason is null and order_id like 'R%'")
    assert accepted_returns["n"].iloc[0] == counts["orders_extra_returns"]


# --------------------------------------------------------------------------- id mismatch


def test_order_lines_lost_to_an_id_mismatch_are_warned_about_with_both_forms(
        build_unmatched_order_ids):
    """A fifth of the lines name '42' for customer '000042': far below the
    half that the reconciliation test warns at, so this warning is the only
    signal; it must say which form the customers file uses."""
    build = build_unmatched_order_ids
    assert build.succeeded, build.describe()
    stripped, lines = build.info["stripped_lines"], build.info["lines"]
    lost = build.query("select count(*) as n from quarantined_rows "
                       "where rejection_reason = 'unknown customer_id'")["n"][0]
    assert lost == stripped
    output = " ".join(build.output.split())  # the log wraps long warnings
    assert (f"{stripped} of the {lines} rows of {build.vars['input_dir']}/orders.csv "
            f"({round(100 * stripped / lines, 1)}%, more than var "
            "unmatched_order_lines_warn_share 0.01) name a customer_id that matches no "
            "customer") in output, build.describe()
    short, padded = build.info["example"]
    assert (f"ids match a customer once leading zeros are ignored, e.g. '{short}' "
            f"(customers: '{padded}')") in output, build.describe()
    assert "upper/lower case" not in output


def test_orders_that_all_match_their_customers_warn_nothing(build_planted_company):
    """Every line of the planted company names a known customer."""
    assert build_planted_company.succeeded, build_planted_company.describe()
    assert "name a customer_id that matches no customer" not in build_planted_company.output
