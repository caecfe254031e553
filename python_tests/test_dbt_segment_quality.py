"""Segments a marketer can act on, on a realistic shop without planted groups.

The build of case ``realistic_shop`` (segmentation.demo.realistic_shop: most
customers buy once, heavy-tailed spend, cancelled and returned orders,
sign-ups who never buy) is checked the way its users would: k in a range a
marketer can run campaigns for and stable, every word of every name true of
the segment's members (recomputed here from dim_customer_segments, not read
from the project's own claims), no name twice, non-buyers in one group of
their own, cancellations not counted as returns, an at-risk list finance
would sign and RFM scores that survive ties.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dbt_runner import PROJECT_DIR

NO_PURCHASE_SEGMENT_ID = -1
WIN_BACK = {"lapsed", "at_risk_high_value"}
NEW_CUSTOMER_DAYS = 90
GAP_MULTIPLE = 2.0
AT_RISK_MIN_TENURE_DAYS = 90
AT_RISK_MIN_RECENCY_DAYS = 30


@pytest.fixture(scope="module")
def build(build_realistic_shop):
    assert build_realistic_shop.succeeded, build_realistic_shop.describe()
    return build_realistic_shop


@pytest.fixture(scope="module", params=["realistic_shop", "single_cohort_shop"])
def shop(request):
    """The realistic shop, and one cohort of it followed for three years (as
    the CDNOW export is): most customers lapsed, tenure nearly constant."""
    built = request.getfixturevalue(f"build_{request.param}")
    assert built.succeeded, built.describe()
    return built


@pytest.fixture(scope="module")
def customers(build) -> pd.DataFrame:
    return build.table("dim_customer_segments")


@pytest.fixture(scope="module")
def orders(build) -> pd.DataFrame:
    frame = pd.read_csv(Path(build.vars["input_dir"]) / "orders.csv", dtype={"customer_id": str})
    frame["status"] = frame["status"].str.lower()
    return frame


def phrase_book() -> pd.DataFrame:
    return pd.read_csv(PROJECT_DIR / "seeds" / "segment_name_phrases.csv")


def member_claim_holds(members: pd.DataFrame, population: pd.DataFrame, feature: str,
                       direction: str, as_of: dt.date) -> tuple[bool, float]:
    """The claim a name word makes, recomputed from the members' own figures:
    (holds for more than half of them, the share it holds for)."""
    if feature == "tenure_days" and direction == "low":
        first = pd.to_datetime(members["first_purchase_date"]).dt.date
        facts = first >= as_of - dt.timedelta(days=NEW_CUSTOMER_DAYS)
    elif feature == "recency_days":
        # "Lapsed": overdue against their own rhythm; "Active": not overdue.
        repeat = population[(population["frequency"] >= 2)
                            & (population["purchase_cadence_days"] > 0)]
        median_gap = repeat["purchase_cadence_days"].median()
        has_rhythm = (members["frequency"] >= 2) & (members["purchase_cadence_days"] > 0)
        gap = np.where(has_rhythm, members["purchase_cadence_days"], median_gap)
        overdue = members["recency_days"] > GAP_MULTIPLE * gap
        facts = overdue if direction == "high" else ~overdue
    elif feature == "frequency" and direction == "low":
        facts = members["frequency"] <= 1
    else:
        median = population[feature].median()
        values = members[feature].dropna()
        facts = values > median if direction == "high" else values < median
    share = float(np.mean(facts)) if len(facts) else 0.0
    return share > 0.5, share


def name_words(name: str, phrases: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(word, feature, direction) for each phrase-book adjective or noun in the
    part of ``name`` before any comparison in brackets."""
    plain = name.split(" (")[0]
    found = []
    for row in phrases.itertuples():
        for word in (row.adjective, row.noun):
            if isinstance(word, str) and word and f" {word} " in f" {plain} ":
                found.append((word, row.feature_name, row.direction))
    return found


def test_k_is_in_the_usable_range_and_stable(shop):
    build = shop
    k = build.query("select * from cluster_k_selection where method = 'kmeans'")
    chosen = k[k["is_chosen"]].iloc[0]
    assert 3 <= chosen["k"] <= 8, chosen["selection_rule"]
    assert chosen["selection_path"] in ("most_granular_stable", "clear_structure")
    assert chosen["stability_ari"] >= 0.8, chosen["selection_rule"]
    # Every segment on its own, not only the assignment as a whole.
    assert chosen["min_segment_jaccard"] >= 0.75, chosen["selection_rule"]
    profiles = build.table("segment_profiles")
    clustered = profiles[profiles["segment_id"] > 0]
    assert len(clustered) == chosen["k"]
    assert (clustered["segment_stability"] >= 0.75).all(), clustered[
        ["segment_name", "segment_stability"]]
    assert profiles.loc[profiles["segment_id"] < 0, "segment_stability"].isna().all()
    # The rule says which path chose k, in words.
    assert chosen["selection_rule"].startswith(("no clear structure", "clear structure"))
    assert f"k={chosen['k']}" in chosen["selection_rule"]


def test_every_word_of_every_name_is_true_of_the_members(shop):
    customers = shop.table("dim_customer_segments")
    as_of = pd.to_datetime(customers["as_of_date"].iloc[0]).date()
    clustered = customers[customers["segment_id"] > 0]
    phrases = phrase_book()
    checked = 0
    for (segment_id, name), members in clustered.groupby(["segment_id", "segment_name"]):
        for word, feature, direction in name_words(name, phrases):
            if feature not in members:
                continue
            holds, share = member_claim_holds(members, clustered, feature, direction, as_of)
            assert holds, (f"segment {segment_id} '{name}': '{word}' ({feature} {direction}) "
                           f"holds for only {share:.0%} of its {len(members)} members")
            checked += 1
    assert checked >= clustered["segment_id"].nunique()  # the names do say something


def test_value_words_only_on_segments_above_the_median(customers):
    # The reported failure: "Big Spenders" on 65% of customers, a third of them
    # below the median, median customer with one order.
    clustered = customers[customers["segment_id"] > 0]
    median = clustered["monetary"].median()
    for name, members in clustered.groupby("segment_name"):
        if any(word in name for word in ("Big Spenders", "High-Value", "Champions")):
            assert (members["monetary"] > median).mean() > 0.5, name
            assert len(members) / len(clustered) < 0.5, name


def test_names_are_distinct_and_never_numbered(shop):
    names = shop.query("select segment_id, segment_name from segment_profiles")
    assert names["segment_name"].is_unique, names
    assert not names["segment_name"].str.contains(r"\s\d+$").any(), names


def test_customers_without_a_completed_purchase_are_one_group(build, customers, orders):
    no_purchase = customers[customers["segment_id"] == NO_PURCHASE_SEGMENT_ID]
    assert set(no_purchase["customer_id"]) == set(customers.loc[customers["frequency"] == 0,
                                                                "customer_id"])
    assert (no_purchase["segment_name"] == "No Purchase Yet").all()
    # Every customer whose orders were all cancelled is among them.
    per_customer = orders.groupby("customer_id")["status"].agg(lambda s: set(s))
    only_cancelled = set(per_customer[per_customer.apply(lambda s: s == {"cancelled"})].index)
    assert only_cancelled, "the realistic shop has customers whose every order is cancelled"
    assert only_cancelled <= set(no_purchase["customer_id"])
    action = build.query(
        f"select archetype, action from segment_recommendations "
        f"where segment_id = {NO_PURCHASE_SEGMENT_ID}")
    assert action["archetype"].tolist() == ["no_purchase"]
    at_risk = build.table("customers_at_risk")
    assert not set(at_risk["customer_id"]) & set(no_purchase["customer_id"])


def test_cancelled_orders_are_neither_revenue_nor_returns(customers, orders):
    per_order = orders.groupby(["customer_id", "order_id"]).agg(
        status=("status", "first"), amount=("amount", "sum"))
    flags = per_order.assign(
        is_return=per_order["status"].eq("returned"),
        is_completed=per_order["status"].isin(["completed", "returned"]),
        revenue=np.where(per_order["status"].eq("completed"), per_order["amount"], 0.0))
    expected = flags.groupby("customer_id").agg(
        returns=("is_return", "sum"), completed=("is_completed", "sum"),
        gross=("revenue", "sum"))
    expected["return_rate"] = np.where(expected["completed"] > 0,
                                       expected["returns"] / expected["completed"].clip(1), 0.0)
    actual = customers.set_index("customer_id").loc[expected.index]
    np.testing.assert_allclose(actual["return_rate"], expected["return_rate"], atol=1e-6)
    np.testing.assert_allclose(actual["gross_revenue"], expected["gross"], atol=0.01)


def test_at_risk_list_only_overdue_customers_with_a_rhythm(build, customers):
    at_risk = build.table("customers_at_risk")
    assert len(at_risk) > 0
    assert (at_risk["frequency"] >= 2).all()
    assert (at_risk["tenure_days"] >= AT_RISK_MIN_TENURE_DAYS).all()
    # Never someone who bought within their usual gap, nor in the last month.
    assert (at_risk["recency_days"] > GAP_MULTIPLE * at_risk["usual_gap_days"]).all()
    assert (at_risk["recency_days"] > AT_RISK_MIN_RECENCY_DAYS).all()
    # What is at stake is never more than the customer ever spent.
    assert (at_risk["revenue_at_stake_per_year"] <= at_risk["monetary"] + 0.01).all()
    assert at_risk["revenue_at_stake_per_year"].sum() <= at_risk["monetary"].sum()


def test_rfm_scores_equal_for_equal_values(build):
    rfm = build.query("""
        select rfm.*, dim.first_purchase_date, dim.as_of_date
        from customer_rfm as rfm
        inner join dim_customer_segments as dim using (customer_id)
        where rfm.has_purchases""")
    for value, score in (("recency_days", "recency_score"), ("frequency", "frequency_score"),
                         ("monetary", "monetary_score")):
        assert (rfm.groupby(value)[score].nunique() == 1).all(), value
    # Where most bought once, repeat buyers still score above one-time buyers.
    one_off = rfm.loc[rfm["frequency"] == 1, "frequency_score"]
    repeat = rfm.loc[rfm["frequency"] >= 2, "frequency_score"]
    assert one_off.max() < repeat.min()
    champions_share = (rfm["rfm_segment"] == "Champions").mean()
    assert champions_share < 0.25, champions_share


def test_recent_first_purchases_are_new_customers(build):
    rfm = build.query("""
        select rfm.rfm_segment, dim.first_purchase_date, dim.as_of_date
        from customer_rfm as rfm
        inner join dim_customer_segments as dim using (customer_id)""")
    first = pd.to_datetime(rfm["first_purchase_date"])
    recent = first >= pd.to_datetime(rfm["as_of_date"]) - pd.Timedelta(days=NEW_CUSTOMER_DAYS)
    assert recent.sum() > 0
    assert (rfm.loc[recent, "rfm_segment"] == "New Customers").all()
    no_purchase = rfm["first_purchase_date"].isna()
    assert (rfm.loc[no_purchase, "rfm_segment"] == "No Purchase Yet").all()


def test_no_overdue_repeat_buyer_has_a_recent_rfm_name(shop):
    # On CDNOW, where most customers had lapsed, R4 spanned 141-430 days and
    # two thirds of the at-risk list were "Champions". The scores stay
    # quintiles (equal values, equal scores); the name does not say "recent"
    # of a customer overdue against their own rhythm.
    rfm = shop.query("""
        select rfm.rfm_segment, rfm.recency_score, dim.frequency, dim.recency_days,
               dim.purchase_cadence_days
        from customer_rfm as rfm
        inner join dim_customer_segments as dim using (customer_id)""")
    overdue = ((rfm["frequency"] >= 2) & (rfm["purchase_cadence_days"] > 0)
               & (rfm["recency_days"] > GAP_MULTIPLE * rfm["purchase_cadence_days"]))
    segment_map = pd.read_csv(PROJECT_DIR / "seeds" / "rfm_segment_map.csv").dropna()
    recent_names = set(segment_map.loc[segment_map["recency_score_min"] >= 3, "rfm_segment"])
    named = rfm.loc[overdue & (rfm["rfm_segment"] != "New Customers"), "rfm_segment"]
    assert len(named) > 0
    assert not set(named) & recent_names, named.value_counts()
    assert (rfm.loc[overdue, "recency_score"] >= 3).any()  # the scores themselves are kept
    at_risk = shop.table("customers_at_risk")
    assert not set(at_risk["rfm_segment"]) & recent_names


def test_at_risk_high_value_fires_where_valuable_customers_are_overdue(build, customers):
    # The playbook's top-priority archetype never fired on three real exports.
    as_of = pd.to_datetime(customers["as_of_date"].iloc[0]).date()
    clustered = customers[customers["segment_id"] > 0]
    archetypes = build.query("select segment_id, archetype from segment_recommendations")
    at_risk = archetypes.loc[archetypes["archetype"] == "at_risk_high_value", "segment_id"]
    assert len(at_risk) >= 1, archetypes
    for segment_id in at_risk:
        members = clustered[clustered["segment_id"] == segment_id]
        assert member_claim_holds(members, clustered, "monetary", "high", as_of)[0]
        assert member_claim_holds(members, clustered, "recency_days", "high", as_of)[0]


def test_quality_page_shows_every_segment_and_its_checks(build, tmp_path):
    # The page docs/segment-quality.md is made of, written for this build.
    from segmentation.quality import write_segment_quality

    page = tmp_path / "quality.md"
    write_segment_quality(build.db_path, page)
    text = page.read_text()
    profiles = build.table("segment_profiles")
    chosen = build.query(
        "select k, selection_rule from cluster_k_selection where method = 'kmeans' and is_chosen")
    assert f"k = **{chosen['k'].iloc[0]}**" in text
    assert chosen["selection_rule"].iloc[0] in text
    for row in profiles.itertuples():
        line = next(line for line in text.splitlines()
                    if line.startswith(f"| {row.segment_id} | {row.segment_name} |"))
        if row.segment_id > 0:
            assert f"| {row.segment_stability:.2f} |" in line
    assert "FAILED" not in text
    assert "## Customers at risk" in text


def test_a_segment_mostly_overdue_and_leaning_lapsed_gets_a_win_back_action(shop):
    # On CDNOW a segment of all-overdue big spenders, 0.46 sd more lapsed than
    # a population that had mostly lapsed, got "grow high spenders".
    customers = shop.table("dim_customer_segments")
    as_of = pd.to_datetime(customers["as_of_date"].iloc[0]).date()
    clustered = customers[customers["segment_id"] > 0]
    drivers = shop.query(
        "select segment_id, feature_name, model_space_difference, driver_rank "
        "from segment_drivers where driver_rank is not null")
    recency = drivers[drivers["feature_name"] == "recency_days"].set_index("segment_id")
    rules = shop.table("segment_archetype_rules")
    actions = shop.table("segment_recommendations").set_index("segment_id")
    checked = 0
    for segment_id, members in clustered.groupby("segment_id"):
        overdue, share = member_claim_holds(members, clustered, "recency_days", "high", as_of)
        archetype = actions.loc[segment_id, "archetype"]
        if overdue and recency.loc[segment_id, "model_space_difference"] > 0:
            checked += 1
            if archetype not in WIN_BACK:
                # The documented exception: an archetype that speaks to one of
                # the segment's top three drivers beats one that does not
                # (an all-returns segment is also overdue).
                top = set(drivers.loc[(drivers["segment_id"] == segment_id)
                                      & (drivers["driver_rank"] <= 3), "feature_name"])
                assert "recency_days" not in top, (segment_id, share, archetype)
                assert set(rules.loc[rules["archetype"] == archetype, "feature_name"]) & top, (
                    segment_id, share, archetype)
        if archetype in WIN_BACK:
            assert overdue, (segment_id, share)
    assert checked >= 1


def test_a_feature_that_hardly_varies_is_left_out(build, build_single_cohort_shop):
    # One cohort: tenure spans a quarter out of three years. Standardized,
    # that quarter split customers by the month they joined.
    cohort = build_single_cohort_shop
    inputs = cohort.query("select feature_name from ml_feature_scaling")["feature_name"]
    assert "tenure_days" not in set(inputs) and "monetary" in set(inputs)
    assert "Left out of the model (default features): tenure_days" in cohort.output
    # The realistic shop, joined over three years, keeps it.
    variation = build.query(
        "select feature_name, coefficient_of_variation from ml_feature_scaling "
        "where feature_name = 'tenure_days'")
    assert variation["coefficient_of_variation"].iloc[0] >= 0.1


def test_the_default_build_runs_the_methods_the_segments_need(build):
    # GMM, DBSCAN and k-prototypes are options (var methods): the default build
    # fits and scores KMeans and the Ward tree only.
    methods = set(build.query("select distinct method from cluster_k_selection")["method"])
    assert methods == {"kmeans", "hierarchical"}
    scored = set(build.query("select distinct method from customer_cluster_assignments")["method"])
    assert scored == {"kmeans", "hierarchical"}
    assert "ml_gmm_models" not in set(build.query(
        "select table_name from information_schema.tables")["table_name"])
