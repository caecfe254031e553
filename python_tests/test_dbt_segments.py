"""End-to-end `dbt build`s on inputs with known structure (see cases.CASES)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dbt_runner import DbtBuild
from segmentation.hierarchical import cut_linkage


def require_success(build: DbtBuild) -> None:
    assert build.succeeded, build.describe()
    assert "Traceback" not in build.output, build.describe()


def chosen_k(build: DbtBuild, method: str = "kmeans") -> int:
    chosen = build.query(
        "select k from cluster_k_selection where method = ? and is_chosen", [method])
    assert len(chosen) == 1, f"{method}: {len(chosen)} chosen k rows"
    return int(chosen["k"].iloc[0])


def segment_ari(build: DbtBuild) -> float:
    segments = build.query("select customer_id, segment_id from dim_customer_segments")
    joined = build.info["truth"].merge(segments, on="customer_id", how="inner", validate="1:1")
    assert len(joined) == len(build.info["truth"])
    return adjusted_rand_score(joined["truth"], joined["segment_id"])


def assert_every_customer_once(build: DbtBuild, expected_ids) -> pd.DataFrame:
    dim = build.table("dim_customer_segments")
    assert dim["customer_id"].is_unique
    assert sorted(dim["customer_id"]) == sorted(expected_ids)
    assert dim["segment_id"].notna().all() and dim["segment_name"].notna().all()
    return dim


# --------------------------------------------------------------------------- planted customers


def test_planted_customers_build_succeeds(build_planted_customers):
    require_success(build_planted_customers)


def test_planted_customers_choose_four_segments(build_planted_customers):
    require_success(build_planted_customers)
    assert chosen_k(build_planted_customers) == 4
    # The Ward tree is cut at the same k.
    assert chosen_k(build_planted_customers, "hierarchical") == 4


def test_planted_customers_tree_cut_in_sql_matches_the_package(build_planted_customers):
    """ml_hierarchical_cut (SQL, by leaf ranges) puts the tree's leaves in the
    same clusters as segmentation.hierarchical.cut_linkage at the chosen k."""
    require_success(build_planted_customers)
    tree = build_planted_customers.query("select * from ml_hierarchical_tree order by node_id")
    cut = build_planted_customers.query("select * from ml_hierarchical_cut")
    k = chosen_k(build_planted_customers)
    merges = tree[~tree["is_leaf"]].sort_values("merge_order")
    linkage = merges[["left_child_id", "right_child_id", "merge_height", "fit_customers"]]
    expected = cut_linkage(linkage.to_numpy(float), k)
    leaves = tree[tree["is_leaf"]].merge(cut, on="node_id", how="left", validate="1:1")
    assert leaves["cluster_index"].notna().all()
    assert adjusted_rand_score(expected, leaves["cluster_index"]) == pytest.approx(1.0)
    roots = cut[cut["is_cluster_root"]].merge(tree, on="node_id")
    assert sorted(roots["cluster_index"]) == list(range(1, k + 1))
    assert roots.sort_values("cluster_index")["fit_customers"].is_monotonic_decreasing
    # Nodes above the cut (the last k - 1 merges) have no cluster.
    assert len(tree) - len(cut) == k - 1


def test_planted_customers_segments_match_planted_groups(build_planted_customers):
    require_success(build_planted_customers)
    assert segment_ari(build_planted_customers) >= 0.9


def test_planted_customers_ids_kept_as_given(build_planted_customers):
    require_success(build_planted_customers)
    truth = build_planted_customers.info["truth"]
    dim = assert_every_customer_once(build_planted_customers, truth["customer_id"])
    # Zero-padded text, not numbers: "000001" stays "000001".
    assert dim["customer_id"].str.fullmatch(r"\d{6}").all()
    assert "000001" in set(dim["customer_id"])


def test_planted_customers_segment_names_distinct(build_planted_customers):
    require_success(build_planted_customers)
    names = build_planted_customers.query(
        "select segment_id, count(distinct segment_name) as names, min(segment_name) as name "
        "from dim_customer_segments group by segment_id")
    assert (names["names"] == 1).all()
    assert names["name"].is_unique, names
    profiles = build_planted_customers.query(
        "select segment_id, segment_name from segment_profiles")
    assert profiles["segment_name"].is_unique
    assert set(profiles["segment_id"]) == set(names["segment_id"])


def test_planted_customers_features_are_the_named_ones(build_planted_customers):
    require_success(build_planted_customers)
    scaling = build_planted_customers.table("ml_feature_scaling")
    assert sorted(scaling["source_feature"]) == ["annual_income", "spending_score"]
    assert scaling["is_explicitly_selected"].all()


def test_planted_customers_attributes_keep_their_values(build_planted_customers):
    """The customer dimension reports income and score exactly as the file has them."""
    require_success(build_planted_customers)
    dim = build_planted_customers.query(
        "select customer_id, annual_income, spending_score, age from dim_customer_segments")
    joined = build_planted_customers.info["truth"].merge(
        dim, on="customer_id", suffixes=("_input", "_dim"))
    np.testing.assert_allclose(joined["spending_score_dim"], joined["spending_score_input"],
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(joined["annual_income_dim"], joined["annual_income_input"],
                               rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- planted company


def test_planted_company_chooses_four_segments(build_planted_company):
    require_success(build_planted_company)
    assert chosen_k(build_planted_company) == 4


def test_planted_company_segments_match_planted_groups(build_planted_company):
    require_success(build_planted_company)
    assert_every_customer_once(build_planted_company,
                               build_planted_company.info["truth"]["customer_id"])
    assert segment_ari(build_planted_company) >= 0.9


def test_planted_company_uses_behaviour_features(build_planted_company):
    require_success(build_planted_company)
    scaling = build_planted_company.table("ml_feature_scaling")
    assert set(scaling["source_feature"]) == {
        "recency_days", "frequency", "monetary", "avg_order_value", "tenure_days", "return_rate"}
    assert not scaling["is_explicitly_selected"].any()


# --------------------------------------------------------------------------- no orders


def test_customers_only_input_clusters_on_attributes(build_no_orders):
    require_success(build_no_orders)
    scaling = build_no_orders.table("ml_feature_scaling")
    assert sorted(scaling["source_feature"].unique()) == [
        "age", "annual_income", "spending_score"]
    assert_every_customer_once(build_no_orders,
                               build_no_orders.info["customers"]["customer_id"].to_pylist())
    reconciliation = build_no_orders.table("input_reconciliation").set_index("source")
    assert reconciliation.loc["orders", "rows_read"] == 0
    assert reconciliation.loc["customers", "rows_read"] == build_no_orders.info[
        "customers"].num_rows
    assert chosen_k(build_no_orders) >= 2


@pytest.mark.parametrize("column", ["frequency", "monetary", "total_orders"])
def test_customers_only_input_has_no_behaviour(build_no_orders, column):
    require_success(build_no_orders)
    dim = build_no_orders.table("dim_customer_segments")
    assert (dim[column] == 0).all()
    assert not dim["has_purchases"].any()


def test_planted_company_padded_ids_are_trimmed_and_still_join(build_planted_company):
    """case_planted_company pads five customer ids with spaces in both Parquet files:
    they come out unpadded, with their orders, and nothing is quarantined."""
    require_success(build_planted_company)
    padded = build_planted_company.info["truth"]["customer_id"].iloc[:5].tolist()
    dim = build_planted_company.table("dim_customer_segments").set_index("customer_id")
    assert set(padded) <= set(dim.index)
    assert (dim.loc[padded, "frequency"] > 0).all()
    assert build_planted_company.query("select count(*) from quarantined_rows").iloc[0, 0] == 0


def test_customers_only_input_has_empty_cross_sell_marts(build_no_orders):
    """Without orders there are no categories: the cross-sell marts exist, empty."""
    require_success(build_no_orders)
    for mart in ("segment_category_affinity", "customer_next_category"):
        assert build_no_orders.query(f"select count(*) as n from {mart}")["n"].iloc[0] == 0


def test_category_mix_named_as_a_feature_clusters_on_category_shares(build_demo_category_mix):
    """var features: [..., category_mix] makes one model input per top category."""
    build = build_demo_category_mix
    assert build.succeeded, build.describe()
    inputs = build.query(
        "select feature_name from ml_feature_scaling where source_feature = 'category_mix'")
    assert len(inputs) >= 2 and inputs.feature_name.str.startswith("category_share__").all()
    shares = build.query("select * from int_customer_category_mix")
    share_columns = [c for c in shares.columns if c.startswith("category_share__")]
    totals = shares[share_columns].sum(axis=1)
    assert np.allclose(totals[totals > 0], 1.0)
    dim = build.query("select customer_id, segment_id from dim_customer_segments")
    assert dim.customer_id.is_unique and dim.segment_id.notna().all()
    assert len(dim) == len(build.query("select customer_id from int_customers_cleaned"))
