"""Behaviour of the synthetic company generator on small inputs."""

import datetime as dt
import re

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from segmentation.demo import files
from segmentation.demo.dirty_export import CUSTOMER_DEFECTS, ORDER_DEFECTS, make_dirty
from segmentation.demo.files import write_company
from segmentation.demo.personas import PERSONAS, generate_company
from segmentation.demo.planted import generate_planted_company, generate_planted_customers
from segmentation.demo.tables import CATEGORIES, COUNTRIES, STATUSES

CUSTOMER_SCHEMA = pa.schema([
    ("customer_id", pa.string()),
    ("signup_date", pa.date32()),
    ("age", pa.int32()),
    ("gender", pa.string()),
    ("country", pa.string()),
    ("annual_income", pa.float64()),
    ("spending_score", pa.int32()),
])
ORDER_SCHEMA = pa.schema([
    ("order_id", pa.string()),
    ("customer_id", pa.string()),
    ("order_date", pa.date32()),
    ("amount", pa.float64()),
    ("category", pa.string()),
    ("status", pa.string()),
    ("quantity", pa.int32()),
])


def query(sql, **tables):
    """Run sql over Arrow tables registered under the given names."""
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return con.sql(sql).fetchall()


def rfm_features(orders):
    """(customer_id list, (n, 5) array): recency_days, orders, revenue, aov, return rate."""
    rows = query("""
        select customer_id,
               (select max(order_date) from orders) - max(order_date) as recency_days,
               count(distinct order_id) as n_orders,
               sum(amount) as revenue,
               sum(amount) / count(distinct order_id) as aov,
               count(distinct order_id) filter (where status = 'returned')
                   / count(distinct order_id) as return_rate
        from orders group by customer_id order by customer_id
    """, orders=orders)
    return [row[0] for row in rows], np.array([row[1:] for row in rows], dtype=float)


def test_same_arguments_give_equal_tables():
    first = generate_company(300, random_state=3)
    second = generate_company(300, random_state=3)
    other = generate_company(300, random_state=4)
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    assert not first[1].equals(other[1])


def test_schemas_and_customer_ids(demo_company):
    customers, orders, persona = demo_company
    assert customers.schema == CUSTOMER_SCHEMA
    assert orders.schema == ORDER_SCHEMA
    ids = customers["customer_id"].to_pylist()
    assert ids[:2] == ["000001", "000002"]
    assert all(re.fullmatch(r"\d{6}", i) for i in ids)
    assert len(set(ids)) == len(ids) == persona.shape[0]
    assert set(persona) == set(PERSONAS)
    assert set(orders["customer_id"].to_pylist()) <= set(ids)
    assert all(re.fullmatch(r"O\d{8}", i) for i in orders["order_id"].unique().to_pylist())


def test_attribute_domains(demo_company):
    customers, orders, _ = demo_company
    (age_min, age_max, income_min, income_max, score_min, score_max, null_gender,
     genders, countries) = query("""
        select min(age), max(age), min(annual_income), max(annual_income),
               min(spending_score), max(spending_score), avg((gender is null)::int),
               list(distinct gender) filter (where gender is not null),
               list(distinct country)
        from customers""", customers=customers)[0]
    assert 18 <= age_min and age_max <= 85
    assert 15 <= income_min and income_max <= 150
    assert 1 <= score_min and score_max <= 100
    assert 0.01 < null_gender < 0.06
    assert set(genders) == {"female", "male", "other"}
    assert set(countries) == set(COUNTRIES)
    assert set(orders["category"].to_pylist()) == set(CATEGORIES)
    assert set(orders["status"].to_pylist()) == set(STATUSES)
    assert min(orders["quantity"].to_pylist()) >= 1
    amounts = np.asarray(orders["amount"])
    np.testing.assert_allclose(amounts, np.round(amounts, 2))


def test_order_lines_share_order_attributes(demo_company):
    _, orders, _ = demo_company
    (max_customers, max_dates, max_statuses, min_lines, max_lines, sign_mismatch,
     out_of_order) = query("""
        with per_order as (
            select order_id, count(distinct customer_id) as customers,
                   count(distinct order_date) as dates, count(distinct status) as statuses,
                   count(*) as lines, min(order_date) as order_date,
                   sum(((amount < 0) <> (status = 'returned'))::int) as sign_mismatch
            from orders group by order_id)
        select max(customers), max(dates), max(statuses), min(lines), max(lines),
               sum(sign_mismatch),
               -- order ids are numbered in date order
               count(*) filter (where order_date < lag_date)
        from (select *, lag(order_date) over (order by order_id) as lag_date from per_order)
    """, orders=orders)[0]
    assert (max_customers, max_dates, max_statuses) == (1, 1, 1)
    assert (min_lines, max_lines) == (1, 3)
    assert sign_mismatch == 0
    assert out_of_order == 0


def test_dates_in_range_and_signup_before_first_order(demo_company):
    customers, orders, _ = demo_company
    first, last, earliest_signup, latest_signup, late_signups = query("""
        select (select min(order_date) from orders), (select max(order_date) from orders),
               min(signup_date), max(signup_date),
               count(*) filter (where signup_date > first_order)
        from customers c left join (
            select customer_id, min(order_date) as first_order from orders group by 1
        ) o using (customer_id)
    """, customers=customers, orders=orders)[0]
    assert dt.date(2024, 1, 1) <= first and last <= dt.date(2025, 12, 31)
    assert earliest_signup >= dt.date(2024, 1, 1) - dt.timedelta(days=730)
    assert latest_signup <= dt.date(2025, 12, 31)
    assert late_signups == 0


def test_custom_calendar_is_respected():
    customers, orders = generate_company(
        200, start_date="2023-03-01", end_date=dt.date(2023, 8, 31), random_state=1)
    dates = orders["order_date"].to_pylist()
    assert min(dates) >= dt.date(2023, 3, 1) and max(dates) <= dt.date(2023, 8, 31)
    assert max(customers["signup_date"].to_pylist()) <= dt.date(2023, 8, 31)


@pytest.mark.parametrize("mean_order_lines", [6.0, 12.0, 20.0])
def test_total_lines_follow_mean_order_lines(mean_order_lines):
    _, orders = generate_company(1_000, mean_order_lines=mean_order_lines, random_state=5)
    assert orders.num_rows / 1_000 == pytest.approx(mean_order_lines, rel=0.1)


def test_personas_give_segment_structure(demo_company):
    customers, orders, persona = demo_company
    rows = query("""
        select p.persona, count(*) as customers,
               avg(coalesce(o.n_orders, 0)) as orders,
               median(o.recency_days) as median_recency, max(o.recency_days) as max_recency,
               sum(o.returned) / sum(o.n_orders) as returns,
               sum(o.revenue) / sum(o.n_orders) as aov,
               avg(c.annual_income) as income, avg(c.spending_score) as score,
               max(date '2025-12-31' - c.signup_date) as signup_age
        from customers c positional join persona p
        left join (
            select customer_id, count(distinct order_id) as n_orders,
                   date '2025-12-31' - max(order_date) as recency_days,
                   count(distinct order_id) filter (where status = 'returned') as returned,
                   sum(amount) filter (where status = 'completed') as revenue
            from orders group by 1
        ) o using (customer_id)
        group by 1
    """, customers=customers, orders=orders, persona=pa.table({"persona": persona}))
    names = ["customers", "orders", "median_recency", "max_recency", "returns", "aov", "income",
             "score", "signup_age"]
    s = {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}
    assert s["never_ordered"]["orders"] == 0
    assert s["never_ordered"]["customers"] == 60  # 3% of 2,000
    assert s["champion"]["orders"] > s["loyal"]["orders"] > s["at_risk"]["orders"]
    assert s["champion"]["orders"] > 5 * s["hibernating"]["orders"]
    assert s["bargain_hunter"]["orders"] > s["big_ticket"]["orders"]
    # Recency is not planted but follows from each persona's rate and dropout.
    assert s["champion"]["median_recency"] <= 45
    assert s["at_risk"]["median_recency"] >= 270
    assert s["hibernating"]["median_recency"] >= 365
    assert s["new"]["max_recency"] <= 45
    assert s["new"]["signup_age"] <= 90
    assert s["bargain_hunter"]["returns"] > 3 * s["champion"]["returns"]
    assert s["big_ticket"]["aov"] > 3 * s["loyal"]["aov"] > 3 * s["bargain_hunter"]["aov"]
    assert s["champion"]["income"] > s["bargain_hunter"]["income"] + 20
    assert s["champion"]["score"] > s["hibernating"]["score"] + 30


@pytest.mark.parametrize("n_groups", [4, 6])
def test_planted_customers_are_recoverable(n_groups):
    customers, labels = generate_planted_customers(50, n_groups, random_state=2)
    assert customers.num_rows == labels.shape[0] == 50 * n_groups
    assert customers.column_names == ["customer_id", "age", "annual_income", "spending_score"]
    assert np.bincount(labels).tolist() == [50] * n_groups
    features = StandardScaler().fit_transform(
        np.column_stack([customers["annual_income"], customers["spending_score"]]))
    found = KMeans(n_groups, n_init=10, random_state=0).fit_predict(features)
    assert adjusted_rand_score(labels, found) >= 0.95


def test_planted_company_groups_separate_on_rfm():
    customers, orders, labels = generate_planted_company(60, random_state=3)
    assert customers.schema == CUSTOMER_SCHEMA and orders.schema == ORDER_SCHEMA
    assert customers.num_rows == labels.shape[0] == 240
    assert np.bincount(labels).tolist() == [60] * 4
    ids, features = rfm_features(orders)
    assert ids == customers["customer_id"].to_pylist()  # every customer ordered
    found = KMeans(4, n_init=10, random_state=0).fit_predict(
        StandardScaler().fit_transform(features))
    assert adjusted_rand_score(labels, found) >= 0.95
    # Only the "mid" group returns anything.
    assert set(np.flatnonzero(features[:, 4] > 0)) <= set(np.flatnonzero(labels == 2))


def test_make_dirty_counts_match_checks():
    customers, orders = generate_company(500, random_state=11)
    dirty_customers, dirty_orders, counts = make_dirty(customers, orders, random_state=1)
    assert list(counts) == [*CUSTOMER_DEFECTS, *ORDER_DEFECTS]
    assert all(n >= 1 for n in counts.values())
    assert all(t == pa.string() for t in dirty_customers.schema.types + dirty_orders.schema.types)
    added_customers = sum(counts[k] for k in CUSTOMER_DEFECTS[:3])
    assert dirty_customers.num_rows == customers.num_rows + added_customers
    assert dirty_orders.num_rows == orders.num_rows + counts["orders_extra_returns"]

    blank = "({0} is null or trim({0}) = '')"
    found_customers = query(f"""
        select
            count(*) - (select count(*) from (select distinct * from c)),
            (select count(*) - count(distinct customer_id)
             from (select distinct * from c where not {blank.format('customer_id')})),
            count(*) filter (where {blank.format('customer_id')}),
            count(*) filter (where try_cast(age as integer) is null),
            count(*) filter (where try_cast(signup_date as date) is null),
            count(*) filter (where try_cast(annual_income as double) is null)
        from c""", c=dirty_customers)[0]
    assert dict(zip(CUSTOMER_DEFECTS, found_customers, strict=True)) == {
        k: counts[k] for k in CUSTOMER_DEFECTS}

    found_orders = query(f"""
        select
            count(*) filter (where {blank.format('order_id')}),
            count(*) filter (where {blank.format('customer_id')}),
            count(*) filter (where try_cast(order_date as date) is null),
            count(*) filter (where try_cast(order_date as date) > date '2025-12-31'),
            count(*) filter (where try_cast(amount as double) is null),
            count(*) filter (where not {blank.format('customer_id')}
                             and customer_id not in (select customer_id from clean)),
            count(*) filter (where status = 'returned')
                - (select count(*) from clean_orders where status = 'returned')
        from o""", o=dirty_orders, clean=customers, clean_orders=orders)[0]
    assert dict(zip(ORDER_DEFECTS, found_orders, strict=True)) == {
        k: counts[k] for k in ORDER_DEFECTS}

    returns = query("""
        select count(*) filter (where try_cast(amount as double) >= 0),
               count(*) filter (where try_cast(order_date as date) > date '2025-12-31')
        from o where order_id like 'R%'""", o=dirty_orders)[0]
    assert returns == (0, 0)
    again = make_dirty(customers, orders, random_state=1)
    assert again[0].equals(dirty_customers) and again[1].equals(dirty_orders)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_write_company_round_trips(tmp_path, file_format):
    written = write_company(tmp_path / "a", 150, file_format=file_format, prefix="demo_",
                            random_state=9)
    again = write_company(tmp_path / "b", 150, file_format=file_format, prefix="demo_",
                          random_state=9)
    customers, orders = generate_company(150, random_state=9)
    assert written["customers"]["rows"] == customers.num_rows == 150
    assert written["orders"]["rows"] == orders.num_rows
    for name, expected in (("customers", customers), ("orders", orders)):
        path = tmp_path / "a" / f"demo_{name}.{file_format}"
        assert written[name]["path"] == str(path)
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
        assert again[name]["rows"] == expected.num_rows
        reader = "read_csv" if file_format == "csv" else "read_parquet"
        back = duckdb.sql(f"select * from {reader}('{path}')").to_arrow_table()
        assert back.schema.field("customer_id").type == pa.string()
        assert back["customer_id"].to_pylist() == expected["customer_id"].to_pylist()
        assert back["signup_date" if name == "customers" else "order_date"].to_pylist() == (
            expected["signup_date" if name == "customers" else "order_date"].to_pylist())
    if file_format == "parquet":
        assert pq.read_table(tmp_path / "a" / "demo_orders.parquet").equals(orders)
    else:
        text = (tmp_path / "a" / "demo_orders.csv").read_text().splitlines()
        assert text[0] == '"order_id","customer_id","order_date","amount","category",' \
                          '"status","quantity"'
        assert all(re.fullmatch(r'"O\d{8}","\d{6}",\d{4}-\d\d-\d\d,-?\d+\.\d\d,"\w+","\w+",\d+',
                                line) for line in text[1:])
        # A missing gender is an empty field.
        assert any(',,"' in line for line in (tmp_path / "a" / "demo_customers.csv")
                   .read_text().splitlines())


def test_command_line_writes_seeds(tmp_path, capsys):
    assert files.main(["--customers", "40", "--out", str(tmp_path), "--prefix", "demo_",
                       "--format", "csv", "--mean-order-lines", "5", "--seed", "1"]) == 0
    assert (tmp_path / "demo_customers.csv").exists() and (tmp_path / "demo_orders.csv").exists()
    assert "demo_customers.csv (40 customers rows)" in capsys.readouterr().out


def test_invalid_arguments_raise():
    with pytest.raises(ValueError):
        generate_company(0)
    with pytest.raises(ValueError):
        generate_company(10, start_date="2025-01-02", end_date="2025-01-01")
    with pytest.raises(ValueError):
        generate_planted_customers(10, 10)
    with pytest.raises(ValueError):
        write_company(".", 10, file_format="xlsx")
