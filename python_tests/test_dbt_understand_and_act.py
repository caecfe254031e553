"""Drivers, archetypes, recommendations and RFM on builds with known structure."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dbt_runner import DbtBuild


def require_success(build: DbtBuild) -> None:
    assert build.succeeded, build.describe()


def segment_of_planted_group(build: DbtBuild) -> dict[str, int]:
    """Planted group name -> the segment most of its customers landed in."""
    names = {0: "champions", 1: "lapsed", 2: "mid", 3: "big_single"}
    dim = build.query("select customer_id, segment_id from dim_customer_segments")
    joined = build.info["truth"].merge(dim, on="customer_id", validate="1:1")
    majority = joined.groupby("truth")["segment_id"].agg(lambda s: s.mode().iloc[0])
    assert majority.is_unique, "two planted groups share a segment"
    return {names[group]: int(segment) for group, segment in majority.items()}


# The feature each behaviour group was planted on (segmentation.demo.planted._PLANTED_BEHAVIOUR).
PLANTED_DRIVERS = {
    "champions": ("frequency", "high"),
    "lapsed": ("recency_days", "high"),
    "mid": ("return_rate", "high"),
    "big_single": ("avg_order_value", "high"),
}


@pytest.mark.parametrize("group", sorted(PLANTED_DRIVERS))
def test_top_drivers_are_the_planted_features(build_planted_company, group):
    require_success(build_planted_company)
    segment = segment_of_planted_group(build_planted_company)[group]
    top = build_planted_company.query(
        "select feature_name, direction from segment_drivers "
        "where segment_id = ? and driver_rank <= 3", [segment])
    assert tuple(PLANTED_DRIVERS[group]) in set(top.itertuples(index=False, name=None)), top


@pytest.mark.parametrize("group, words", [
    ("champions", ("Regulars", "Frequent")),
    ("lapsed", ("Lapsed",)),
    ("mid", ("Return",)),
    ("big_single", ("Big-Ticket", "Big-Basket")),
])
def test_names_describe_the_planted_groups(build_planted_company, group, words):
    require_success(build_planted_company)
    segment = segment_of_planted_group(build_planted_company)[group]
    name = build_planted_company.query(
        "select segment_name from segment_profiles where segment_id = ?", [segment]).iloc[0, 0]
    assert any(word in name for word in words), name


@pytest.mark.parametrize("group, archetype", [
    ("champions", "champions"),
    ("lapsed", "lapsed"),
    ("mid", "return_prone"),
])
def test_archetypes_and_actions_follow_the_drivers(build_planted_company, group, archetype):
    require_success(build_planted_company)
    segment = segment_of_planted_group(build_planted_company)[group]
    row = build_planted_company.query(
        "select * from segment_recommendations where segment_id = ?", [segment]).iloc[0]
    assert row["archetype"] == archetype, row.to_dict()
    playbook = build_planted_company.table("segment_playbook").set_index("archetype")
    assert row["action"] == playbook.loc[archetype, "action"]


def test_drivers_effect_size_is_eta_squared(build_planted_company):
    """eta squared recomputed in pandas from the customer dimension."""
    require_success(build_planted_company)
    dim = build_planted_company.table("dim_customer_segments")
    drivers = build_planted_company.table("segment_drivers")
    for feature in ["recency_days", "frequency", "avg_order_value"]:
        values = dim[feature].astype(float)
        grand_mean = values.mean()
        groups = values.groupby(dim["segment_id"])
        between = (groups.size() * (groups.mean() - grand_mean) ** 2).sum()
        expected = between / ((values - grand_mean) ** 2).sum()
        got = drivers.loc[drivers["feature_name"] == feature, "eta_squared"]
        assert got.nunique() == 1
        assert got.iloc[0] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("case", ["planted_company", "demo_a", "no_orders"])
def test_every_segment_and_customer_is_covered(request, case):
    build: DbtBuild = request.getfixturevalue(f"build_{case}")
    require_success(build)
    profiles = build.table("segment_profiles")
    recommendations = build.table("segment_recommendations")
    assert sorted(recommendations["segment_id"]) == sorted(profiles["segment_id"])
    assert recommendations[["action", "archetype", "matched_rule"]].notna().all().all()
    assert recommendations["segment_name"].is_unique
    rules = build.table("segment_rules")
    assert sorted(rules["segment_id"]) == sorted(profiles["segment_id"])
    assert rules["rule"].str.len().gt(0).all()
    drivers = build.table("segment_drivers")
    ranked = drivers[drivers["driver_rank"].notna()]
    # Drivers explain clusters; No Purchase Yet (-1) is a rule, frequency = 0.
    clusters = profiles.loc[profiles["segment_id"] > 0, "segment_id"]
    assert set(ranked["segment_id"]) == set(clusters)
    rfm = build.table("customer_rfm")
    dim = build.table("dim_customer_segments")
    assert sorted(rfm["customer_id"]) == sorted(dim["customer_id"])
    assert rfm["rfm_segment"].notna().all()
    crosstab = build.table("segment_rfm_crosstab")
    assert crosstab["customers"].sum() == len(dim)


def test_rfm_scores_are_balanced_quintiles_on_the_demo(build_demo_a):
    require_success(build_demo_a)
    rfm = build_demo_a.table("customer_rfm")
    buyers = rfm[rfm["has_purchases"]]
    shares = buyers["recency_score"].value_counts(normalize=True)
    assert sorted(shares.index) == [1, 2, 3, 4, 5]
    assert shares.between(0.15, 0.25).all(), shares  # recency has few ties
    non_buyers = rfm[~rfm["has_purchases"]]
    assert (non_buyers["rfm_segment"] == "No Purchase Yet").all()
    assert (non_buyers[["recency_score", "frequency_score", "monetary_score"]] == 0).all().all()
    standard = {"Champions", "Loyal Customers", "Potential Loyalists", "New Customers",
                "Promising", "Need Attention", "About to Sleep", "At Risk",
                "Can't Lose Them", "Hibernating", "Lost", "No Purchase Yet"}
    assert set(rfm["rfm_segment"]) <= standard
    # Equal values, equal scores.
    for value, score in [("recency_days", "recency_score"), ("frequency", "frequency_score"),
                         ("monetary", "monetary_score")]:
        assert (buyers.groupby(value)[score].nunique() == 1).all(), score


def test_customers_at_risk_are_overdue_and_valuable(build_demo_a):
    require_success(build_demo_a)
    at_risk = build_demo_a.table("customers_at_risk").sort_values("risk_rank")
    assert len(at_risk) > 0
    assert (at_risk["recency_days"] > 2 * at_risk["usual_gap_days"] - 1e-9).all()
    assert (at_risk["tenure_days"] >= 90).all()
    # Ranked by the value model's value at risk (customer_value).
    assert at_risk["value_at_risk"].notna().all()
    assert at_risk["value_at_risk"].is_monotonic_decreasing
    # Never more than a year at the customer's historical rate, nor than lifetime revenue.
    per_year = at_risk["monetary"] / np.maximum(at_risk["tenure_days"] / 365.25, 1)
    assert np.allclose(at_risk["revenue_at_stake_per_year"], per_year, atol=0.005)
    assert (at_risk["revenue_at_stake_per_year"] <= at_risk["monetary"]).all()
    rfm = build_demo_a.table("customer_rfm").set_index("customer_id")
    assert (rfm.loc[at_risk["customer_id"], "monetary_score"] >= 4).all()
    # Nobody who qualifies is missing.
    dim = build_demo_a.table("dim_customer_segments").set_index("customer_id")
    qualifies = dim[(dim["frequency"] >= 2) & (dim["purchase_cadence_days"] > 0)
                    & (dim["tenure_days"] >= 90)
                    & (dim["recency_days"] > 2 * dim["purchase_cadence_days"])
                    & (dim["recency_days"] > 30)]  # var at_risk_min_recency_days
    qualifies = qualifies[rfm.loc[qualifies.index, "monetary_score"] >= 4]
    assert set(qualifies.index) == set(at_risk["customer_id"])
    assert (at_risk["recency_days"] > 30).all()


@pytest.mark.parametrize("group", sorted(PLANTED_DRIVERS))
def test_rules_describe_planted_groups(build_planted_company, group):
    """Each planted group's rule is precise, covers most of the group, and uses
    clustering features only (any of them may tell a planted group apart:
    champions are also the only recent buyers, lapsed the only small baskets)."""
    require_success(build_planted_company)
    segment = segment_of_planted_group(build_planted_company)[group]
    rule = build_planted_company.query(
        "select * from segment_rules where segment_id = ?", [segment]).iloc[0]
    assert rule["rule_precision"] >= 0.9 and rule["rule_coverage"] >= 0.8, rule.to_dict()
    features = {c["feature"] for c in json.loads(rule["rule_conditions"])}
    clustering = set(build_planted_company.table("ml_feature_scaling")["source_feature"])
    assert features and features <= clustering, rule["rule"]


@pytest.mark.parametrize("case", ["planted_company", "demo_a"])
def test_method_agreement_is_the_adjusted_rand_index(request, case):
    from sklearn.metrics import adjusted_rand_score

    build: DbtBuild = request.getfixturevalue(f"build_{case}")
    require_success(build)
    assignments = build.table("customer_cluster_assignments").pivot(
        index="customer_id", columns="method", values="cluster_id")
    agreement = build.table("cluster_method_agreement")
    pairs = {(row.method_a, row.method_b): row.adjusted_rand_index
             for row in agreement.itertuples()}
    methods = ["dbscan", "gmm", "hierarchical", "kmeans"]
    assert set(pairs) == {(a, b) for a in methods for b in methods if a < b}
    for (method_a, method_b), ari in pairs.items():
        expected = adjusted_rand_score(assignments[method_a], assignments[method_b])
        assert ari == pytest.approx(expected, abs=1e-6)


def test_planted_segments_are_stable(build_planted_company):
    require_success(build_planted_company)
    selection = build_planted_company.table("cluster_k_selection")
    chosen = selection[selection["is_chosen"]].set_index("method")
    # Bootstrap stability covers the centroid methods; the mixture has none yet.
    assert (chosen.loc[["kmeans", "hierarchical"], "stability_ari"] > 0.9).all(), chosen
    assert selection.loc[~selection["is_chosen"], "stability_ari"].isna().all()


def test_primary_method_decides_what_everything_downstream_uses(
        build_planted_company_hierarchical):
    """With primary_method: hierarchical, the segments are the Ward clusters and
    every segment mart follows them."""
    from sklearn.metrics import adjusted_rand_score

    build = build_planted_company_hierarchical
    require_success(build)
    dim = build.table("dim_customer_segments")
    assert set(dim["segment_method"]) == {"hierarchical"}
    ward = build.query("select customer_id, cluster_id from customer_cluster_assignments "
                       "where method = 'hierarchical'")
    joined = dim.merge(ward, on="customer_id", validate="1:1")
    assert (joined["segment_id"] == joined["cluster_id"]).all()
    truth = build.info["truth"].merge(dim, on="customer_id")
    assert adjusted_rand_score(truth["truth"], truth["segment_id"]) >= 0.9
    for mart in ["segment_profiles", "segment_recommendations", "segment_rules"]:
        assert sorted(build.table(mart)["segment_id"]) == sorted(dim["segment_id"].unique())


def test_gmm_scored_in_sql_as_the_package_scores_it(build_planted_company):
    """Every customer's component and probability from the SQL scoring equal
    those computed in Python from the stored parameters."""
    from segmentation.gmm import log_joint

    build = build_planted_company
    require_success(build)
    scaled = build.table("ml_customer_features_scaled").sort_values("customer_id")
    inputs = build.query("select feature_name from ml_feature_scaling order by feature_position")
    names = inputs["feature_name"].tolist()
    components = build.query(
        "select * from ml_gmm_models where is_chosen order by component_index")
    joint = log_joint(scaled[names].to_numpy(float), components, names)
    posterior = np.exp(joint - joint.max(axis=1, keepdims=True))
    posterior /= posterior.sum(axis=1, keepdims=True)
    scores = build.query(
        "select * from ml_customer_cluster_scores where method = 'gmm'"
    ).set_index("customer_id").loc[scaled["customer_id"]]
    assert (scores["cluster_index"].to_numpy() == joint.argmax(axis=1) + 1).all()
    np.testing.assert_allclose(scores["membership_probability"], posterior.max(axis=1),
                               atol=1e-9)


def test_gmm_components_do_not_mix_planted_groups(build_planted_company):
    """BIC may split a planted group into several components (full covariances
    fit its discrete features tightly), but a component never mixes groups."""
    require_success(build_planted_company)
    gmm = build_planted_company.query(
        "select customer_id, cluster_id from customer_cluster_assignments where method = 'gmm'")
    joined = build_planted_company.info["truth"].merge(gmm, on="customer_id", validate="1:1")
    purity = joined.groupby("cluster_id")["truth"].agg(lambda s: s.value_counts(normalize=True)
                                                       .iloc[0])
    assert (purity >= 0.95).all(), purity
    assert joined["cluster_id"].nunique() >= 4


def test_kprototypes_clusters_mixed_data_and_sql_scores_as_the_package(build_demo_mixed):
    """With gender and country among the features, k-prototypes runs beside
    one-hot KMeans at the same k, and the SQL scoring picks the prototype the
    package's distance picks."""
    from segmentation.kprototypes import _distances

    build = build_demo_mixed
    require_success(build)
    prototypes = build.table("ml_kprototypes_models").sort_values("cluster_index")
    chosen = build.query("select k from cluster_k_selection where method = 'kmeans' "
                         "and is_chosen").iloc[0, 0]
    assert len(prototypes) == chosen
    assignments = build.query("select method, count(*) as n from customer_cluster_assignments "
                              "group by method").set_index("method")["n"]
    assert set(assignments.index) == {"kmeans", "hierarchical", "gmm", "dbscan", "kprototypes"}
    assert assignments.nunique() == 1  # every method assigns every customer

    inputs = build.query("select * from ml_feature_scaling order by feature_position")
    numeric = inputs.loc[inputs["encoding"] == "numeric", "feature_name"].tolist()
    scaled = build.table("ml_customer_features_scaled").sort_values("customer_id")
    features = build.table("int_customer_features").set_index("customer_id").loc[
        scaled["customer_id"]]
    categorical = ["gender", "country"]
    levels = {}
    for column in categorical:
        kept = set(inputs.loc[inputs["source_feature"] == column, "category_level"]) - {
            "__other__", "__missing__"}
        values = features[column].astype("string")
        levels[column] = values.where(values.isin(kept), "__other__").fillna("__missing__")
    codes = {c: {v: i for i, v in enumerate(sorted(set(levels[c]) | set(prototypes[c])))}
             for c in categorical}
    customer_codes = np.column_stack([levels[c].map(codes[c]).to_numpy(int) for c in categorical])
    prototype_codes = np.column_stack([prototypes[c].map(codes[c]).to_numpy(int)
                                       for c in categorical])
    distances = _distances(scaled[numeric].to_numpy(float), customer_codes,
                           prototypes[numeric].to_numpy(float), prototype_codes,
                           float(prototypes["gamma"].iloc[0]))
    sql = build.query("select customer_id, cluster_index from ml_kprototypes_scores").set_index(
        "customer_id").loc[scaled["customer_id"], "cluster_index"].to_numpy()
    best = distances.min(axis=1, keepdims=True)
    # The SQL pick is a nearest prototype (ties may go either way in float).
    picked = distances[np.arange(len(sql)), sql - 1]
    assert np.allclose(picked, best[:, 0], atol=1e-9)


# --------------------------------------------------------------------------- cross-selling

def test_each_segment_leans_to_the_category_its_group_was_planted_with(build_planted_company):
    """Each planted group buys one category in 55% of its lines: that category
    has the highest revenue lift (affinity_rank 1) in the group's segment."""
    from segmentation.demo.planted import PLANTED_FAVOURITE_CATEGORIES

    build = build_planted_company
    require_success(build)
    segments = segment_of_planted_group(build)
    affinity = build.table("segment_category_affinity")
    groups = ("champions", "lapsed", "mid", "big_single")
    for group, favourite in zip(groups, PLANTED_FAVOURITE_CATEGORIES, strict=True):
        top = affinity[(affinity["segment_id"] == segments[group])
                       & (affinity["affinity_rank"] == 1)]
        assert top["category"].tolist() == [favourite], (group, affinity)
        # Champions carry most of all revenue, so the overall share leans to
        # their category too and their lift is the smallest (about 1.35).
        assert top["revenue_lift"].iloc[0] > 1.25
    # Shares add up: each segment's revenue shares sum to 1, buyers never
    # exceed the segment, and every (segment, category) pair is present.
    sums = affinity.groupby("segment_id")["revenue_share"].sum()
    assert np.allclose(sums, 1.0, atol=1e-5)
    assert len(affinity) == affinity["segment_id"].nunique() * affinity["category"].nunique()


def test_next_categories_are_unbought_and_the_segments_most_bought(build_planted_company):
    """Checked against the raw orders: a customer is never offered a category
    they bought, and offers follow the segment's penetration order."""
    import pyarrow.parquet as pq

    build = build_planted_company
    require_success(build)
    orders = pq.read_table(build.work_dir / "input" / "orders.parquet").to_pandas()
    orders["customer_id"] = orders["customer_id"].str.strip()
    purchases = orders[(orders["amount"] > 0) & (orders["status"].fillna("completed")
                                                 .str.lower() == "completed")]
    bought = set(zip(purchases["customer_id"], purchases["category"].str.lower(), strict=True))
    offers = build.table("customer_next_category")
    assert len(offers) > 0
    offered = zip(offers["customer_id"], offers["category"], strict=True)
    assert not any((customer, category) in bought for customer, category in offered)
    assert offers.groupby("customer_id")["recommendation_rank"].apply(
        lambda r: sorted(r) == list(range(1, len(r) + 1))).all()
    # Within a customer, a later offer is never more popular in the segment.
    ordered = offers.sort_values(["customer_id", "recommendation_rank"])
    assert (ordered.groupby("customer_id")["segment_penetration"].diff().dropna() <= 0).all()
    assert offers["recommendation_rank"].max() <= 3


# --------------------------------------------------------------------------- DBSCAN

def test_dbscan_finds_the_planted_groups_and_scores_everyone_as_the_package_does(
        build_planted_company):
    """The planted groups are dense and far apart: DBSCAN finds them (noise
    aside, ARI >= 0.9 against the truth), noise is cluster 0, and the SQL
    assignment of every customer equals the package's rule on the stored
    representatives."""
    from sklearn.metrics import adjusted_rand_score

    from segmentation.dbscan import assign

    build = build_planted_company
    require_success(build)
    fit = build.table("ml_dbscan_models").sort_values("representative_index")
    assert fit["k"].iloc[0] == 4
    row = build.query("select * from cluster_k_selection where method = 'dbscan'")
    assert len(row) == 1 and row["is_chosen"].iloc[0] and row["k"].iloc[0] == 4
    assert row["selection_rule"].iloc[0].startswith("eps = ")
    assert 0 <= row["noise_share"].iloc[0] < 0.1

    dbscan = build.query("select customer_id, cluster_id from customer_cluster_assignments "
                         "where method = 'dbscan'")
    joined = build.info["truth"].merge(dbscan, on="customer_id", validate="1:1")
    clustered = joined[joined["cluster_id"] != 0]
    assert len(clustered) >= 0.9 * len(joined)
    assert adjusted_rand_score(clustered["truth"], clustered["cluster_id"]) >= 0.9

    names = build.query("select feature_name from ml_feature_scaling order by feature_position")
    names = names["feature_name"].tolist()
    scaled = build.table("ml_customer_features_scaled").set_index("customer_id")
    representatives = [(int(r["cluster_index"]), float(r["radius"]),
                        r[names].to_numpy(float)) for _, r in fit.iterrows()]
    expected = assign(scaled[names].to_numpy(float), representatives, float(fit["eps"].iloc[0]))
    scores = build.query("select customer_id, cluster_index from ml_customer_cluster_scores "
                         "where method = 'dbscan'").set_index("customer_id").loc[scaled.index]
    assert (scores["cluster_index"].to_numpy() == expected).all()


def test_cross_sell_is_opt_in(build_demo_a):
    """Without var cross_sell the marts (and their second pass over the order
    lines) are not built at all."""
    require_success(build_demo_a)
    tables = set(build_demo_a.query(
        "select table_name from information_schema.tables")["table_name"])
    assert "dim_customer_segments" in tables
    assert not tables & {"int_customer_category_purchases", "segment_category_affinity",
                         "customer_next_category"}
