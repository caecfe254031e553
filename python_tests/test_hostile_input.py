"""Hostile and broken input (issue 14): nothing from the data or a var runs as
SQL, one bad row never stops or poisons the build, and what cannot be built
stops before any model with its cause in words.

The case list and outcomes are summarised in docs/reliability.md.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from cases.hostile import NULL_TOKEN_IDS
from dbt_runner import DbtBuild, run_dbt_build
from test_dbt_bad_input import assert_fails_cleanly

# --------------------------------------------------------------------------- injection


def _snake_case(header: str) -> str:
    """The name staging gives an extra column (macro snake_case)."""
    split_camel = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", header)
    return re.sub(r"[^a-z0-9]+", "_", split_camel.lower()).strip("_")


def test_injected_headers_are_names_not_sql(build_hostile_shop):
    build = build_hostile_shop
    assert build.succeeded, build.describe()
    info = build.info
    for path in info["pwned"]:
        assert not path.exists(), f"a header's COPY wrote {path}"
    customer_columns = list(
        build.query("describe select * from stg_input__customers")["column_name"])
    assert "leaked" not in customer_columns
    # Read as ordinary columns (the select quotes the header), named in snake_case.
    assert f"extra__{_snake_case(info['leak_header'])}" in customer_columns
    assert f"extra__{_snake_case(info['copy_header'])}" in customer_columns
    order_columns = list(build.query("describe select * from stg_input__orders")["column_name"])
    assert f"extra__{_snake_case(info['order_copy_header'])}" in order_columns
    # The file the header tried to read reached no table.
    staged = build.query("select * from stg_input__customers").astype(str)
    assert not staged.apply(lambda column: column.str.contains(info["secret"])).any().any()


def test_a_mapped_column_name_with_quotes_is_read(build_hostile_shop):
    build = build_hostile_shop
    incomes = build.query("select customer_id, annual_income from int_customers_cleaned")
    planted = dict(zip(build.info["customers"]["customer_id"].to_pylist(),
                       build.info["customers"]["annual_income"].to_pylist(), strict=True))
    read = dict(incomes.itertuples(index=False))
    assert all(abs(read[customer] - income) < 0.01 for customer, income in planted.items())


def test_a_hostile_folder_name_is_an_ordinary_path(build_hostile_shop):
    build = build_hostile_shop
    files = build.query("select source, source_file from input_reconciliation order by source")
    folder = build.info["folder"]
    assert list(files["source_file"]) == [str(folder / "customers.csv"), str(folder / "orders.csv")]


# --------------------------------------------------------------------------- rows


def test_read_equals_accepted_plus_quarantined(build_hostile_shop):
    build = build_hostile_shop
    counts = build.query("select * from input_reconciliation").set_index("source")
    assert (counts["rows_read"] == counts["rows_accepted"] + counts["rows_quarantined"]).all()
    assert counts.loc["customers", "rows_read"] == build.info["customer_data_rows"]
    assert counts.loc["orders", "rows_read"] == build.info["order_data_rows"]


def test_unreadable_lines_are_quarantined_by_line_number(build_hostile_shop):
    build = build_hostile_shop
    rows = build.query("""
        select source, source_line_number, rejection_reason, raw_values from quarantined_rows
        where source_line_number is not null""")
    found = {(row.source, row.source_line_number): row for row in rows.itertuples()}
    expected = {("customers", line): text
                for line, text in build.info["unreadable_customer_lines"].items()}
    expected |= {("orders", line): text
                 for line, text in build.info["unreadable_order_lines"].items()}
    assert set(found) == set(expected)
    for key, text in expected.items():
        assert found[key].rejection_reason.startswith("unreadable line: ")
        if text is not None:  # the non-UTF-8 line is shown with a replacement character
            assert json.loads(found[key].raw_values) == {"raw_line": text}
    # The rows after the bad lines were still read.
    accepted = set(build.query("select customer_id from int_customers_cleaned")["customer_id"])
    assert {"AFTER", "BIG1"} <= accepted


def test_null_tokens_are_missing_ids_and_edges_are_trimmed(build_hostile_shop):
    build = build_hostile_shop
    ids = set(build.query("select customer_id from dim_customer_segments")["customer_id"])
    assert not ids & set(NULL_TOKEN_IDS)
    assert "T9001" in ids
    missing = build.query("""
        select count(*) as n from quarantined_rows
        where source = 'customers' and rejection_reason = 'missing customer_id'""")
    assert missing["n"][0] == len(NULL_TOKEN_IDS)
    # An order whose customer id has a tab at its edge, dated in a
    # var date_formats format with an apostrophe, is accepted.
    line = build.query("select order_date from int_order_lines_cleaned where order_id = 'XT1'")
    assert str(line["order_date"][0])[:10] == "2024-03-05"


def test_non_finite_numbers_and_placeholder_dates_are_quarantined(build_hostile_shop):
    build = build_hostile_shop
    reasons = dict(build.query(
        "select record_id, rejection_reason from quarantined_rows where source = 'orders'"
        " and record_id is not null").itertuples(index=False))
    for order_id, (*_, reason) in build.info["bad_orders"].items():
        assert reasons[order_id].startswith(reason), (order_id, reasons.get(order_id))
    values = set(build.query(
        "select record_id, column_name from quarantined_values").itertuples(index=False))
    assert build.info["expected_values"] <= values
    assert {("XQ1", "quantity"), ("XQ2", "quantity"), ("XQ3", "quantity")} <= values
    features = build.query("""
        select max(abs(monetary)) as monetary, max(abs(refunded_amount)) as refunded,
               max(tenure_days) as tenure, max(abs(annual_income)) as income
        from int_customer_features""")
    assert all(math.isfinite(value) for value in features.iloc[0])
    assert features["tenure"][0] < 365 * 40


def test_raw_values_are_valid_json_even_with_newlines_and_control_characters(build_hostile_shop):
    build = build_hostile_shop
    rows = build.query("select record_id, raw_values from quarantined_rows")
    parsed = {row.record_id: json.loads(row.raw_values) for row in rows.itertuples()
              if row.record_id is not None}
    assert parsed["P0"]["raw_country"] == "Line1\nLine2\x01"


def test_a_single_return_status_is_a_list_of_one(build_hostile_shop):
    """return_statuses: "returned" is one status, not eight letters."""
    build = build_hostile_shop
    orders = build.info["orders"].to_pandas()
    returned = orders[orders["status"] == "returned"]
    assert len(returned) > 0
    per_customer = returned.groupby("customer_id")["amount"].sum().round(2)
    refunded = build.query(
        "select customer_id, round(refunded_amount, 2) as refunded from int_customer_features"
        " where refunded_amount > 0").set_index("customer_id")["refunded"]
    assert set(refunded.index) == set(per_customer.index)


# --------------------------------------------------------------------------- causes in words


def test_an_empty_file_is_named_as_empty(build_fail_empty_customers_file):
    build = build_fail_empty_customers_file
    assert_fails_cleanly(build, str(build.info["customers_path"]), "is empty (0 bytes)")


def test_a_corrupt_parquet_file_is_named(build_fail_corrupt_parquet):
    build = build_fail_corrupt_parquet
    assert build.returncode not in (0, -1), build.describe()
    assert f"Reading customers from {build.info['customers_path']}" in build.output
    assert "OK created" not in build.output, build.describe()


def test_one_accepted_customer_names_the_quarantine(build_fail_one_accepted_customer):
    build = build_fail_one_accepted_customer
    assert_fails_cleanly(build, "Only 1 customers of", str(build.info["customers_path"]),
                         "quarantined_rows")


def test_as_of_date_before_the_data_names_the_var(build_fail_as_of_date_before_data):
    assert_fails_cleanly(build_fail_as_of_date_before_data,
                         "had started by as_of_date 2001-01-01", "var as_of_date")


# --------------------------------------------------------------------------- vars

VAR_CASES = [
    # (vars, fragments of the message)
    ({"as_of_date": "2024-01-01'; COPY (select 1) TO '{work}/pwned.csv'; --"},
     ["var as_of_date", "YYYY-MM-DD"]),
    ({"as_of_date": "2024-02-30"}, ["var as_of_date", "has 29 days"]),
    ({"as_of_date": "yesterday"}, ["var as_of_date", "YYYY-MM-DD"]),
    ({"date_formats": ["day-month"]}, ["var date_formats", "no %-directive"]),
    ({"random_seed": "{{ 7 * 7 }}"}, ["var random_seed", "holds Jinja"]),
    ({"dbscan_eps": "0.5); import os; ("}, ["var dbscan_eps", "must be a number"]),
    ({"fit_sample_size": "nan"}, ["var fit_sample_size", "whole number"]),
    ({"segment_match_max_distance": "inf"}, ["var segment_match_max_distance", "must be a number"]),
    ({"return_statuses": {"refunded": 1}}, ["var return_statuses", "list of text"]),
    ({"cancel_statuses": ["void", 3]}, ["var cancel_statuses", "3 is not one"]),
    ({"cross_sell": "yes"}, ["var cross_sell", "true or false"]),
    ({"column_map": ["customer_id"]}, ["var column_map", "must map each input"]),
    ({"input_dir": "data\nshop"}, ["var input_dir", "control character"]),
    ({"min_plausible_date": "1990"}, ["var min_plausible_date", "YYYY-MM-DD"]),
    ({"export_formats": {"parquet": True}}, ["var export_formats", "list of text"]),
    ({"methods": ["kmeans", "spectral"]}, ["var methods", "spectral"]),
    ({"primary_method": "gmm"}, ["var primary_method is 'gmm'", "add it to var methods"]),
]


@pytest.mark.parametrize("dbt_vars, fragments", VAR_CASES,
                         ids=[f"{next(iter(case))}-{index}"
                              for index, (case, _) in enumerate(VAR_CASES)])
def test_a_bad_var_stops_before_any_model_naming_the_var(tmp_path, dbt_vars, fragments):
    dbt_vars = {name: value.replace("{work}", str(tmp_path)) if isinstance(value, str) else value
                for name, value in dbt_vars.items()}
    build: DbtBuild = run_dbt_build(tmp_path, dbt_vars, name="bad var")
    assert_fails_cleanly(build, "on-run-start", *fragments)
    assert "OK created" not in build.output, build.describe()
    assert not (tmp_path / "pwned.csv").exists()


def test_a_var_calling_the_database_through_jinja_never_runs(tmp_path):
    """dbt renders --vars before the project runs, in a context without
    run_query: such a var fails dbt itself, and nothing is built."""
    build = run_dbt_build(tmp_path, {"input_dir": "{{ run_query('select 1') }}"}, name="bad var")
    assert build.returncode not in (0, -1), build.describe()
    assert "'run_query' is undefined" in build.output, build.describe()
    assert "OK created" not in build.output, build.describe()
