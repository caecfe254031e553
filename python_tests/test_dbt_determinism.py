"""The demo build, run twice into two DuckDB files, gives identical marts."""

from __future__ import annotations

import pandas as pd
import pytest

# Columns that say when and by which invocation a build ran, not what it found.
BUILD_STAMPS = {"segmentation_runs": ["built_at", "invocation_id"]}


@pytest.fixture(scope="module")
def demo_builds(build_demo_a, build_demo_b):
    for build in (build_demo_a, build_demo_b):
        assert build.succeeded, build.describe()
        assert "Traceback" not in build.output
    assert build_demo_a.db_path != build_demo_b.db_path
    return build_demo_a, build_demo_b


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def differences(first: pd.DataFrame, second: pd.DataFrame) -> list[str]:
    """Per differing column: how many rows differ, and a few of them at full precision."""
    found = []
    key = first.columns[0]
    for column in first.columns:
        a, b = first[column], second[column]
        differ = ~((a == b) | (a.isna() & b.isna()))
        if differ.any():
            examples = ", ".join(f"{key}={first.loc[i, key]!r}: {a[i]!r} vs {b[i]!r}"
                                 for i in differ[differ].index[:3])
            found.append(f"{column}: {int(differ.sum())} of {len(a)} rows differ ({examples})")
    return found


def test_every_public_mart_is_identical_between_runs(demo_builds):
    # The marts are the ones this build publishes (access: public), read from
    # the build rather than from a list of our own.
    marts = demo_builds[0].query("select mart_name from bi_public_marts")["mart_name"]
    assert {"dim_customer_segments", "segment_profiles", "customer_rfm"} <= set(marts)
    found = {}
    for mart in sorted(marts):
        first, second = (sorted_frame(build.table(mart).drop(
            columns=BUILD_STAMPS.get(mart, []))) for build in demo_builds)
        assert first.shape == second.shape, mart
        assert list(first.dtypes) == list(second.dtypes), mart
        if differences(first, second):
            found[mart] = differences(first, second)
        else:
            pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert not found, found
    for mart in ("dim_customer_segments", "segment_profiles", "cluster_k_selection"):
        assert len(demo_builds[0].table(mart)) > 0, mart


def test_demo_build_is_clean_and_complete(demo_builds):
    build = demo_builds[0]
    reconciliation = build.table("input_reconciliation").set_index("source")
    assert (reconciliation["rows_quarantined"] == 0).all()
    customers = reconciliation.loc["customers", "rows_read"]
    dim = build.query("select customer_id from dim_customer_segments")
    assert dim["customer_id"].is_unique and len(dim) == customers
    assignments = build.query(
        "select method, count(*) as n, count(distinct customer_id) as ids "
        "from customer_cluster_assignments group by method order by method")
    assert assignments["method"].tolist() == ["dbscan", "gmm", "hierarchical", "kmeans"]
    # Every method scores every clustered customer; the demo's customers
    # without a completed purchase are the No Purchase Yet segment instead.
    clustered = build.query(
        "select count(*) as n from dim_customer_segments where segment_id > 0").n.iloc[0]
    no_purchase = build.query(
        "select count(*) as n from dim_customer_segments where not has_purchases").n.iloc[0]
    assert clustered + no_purchase == customers and no_purchase > 0
    assert (assignments["n"] == clustered).all() and (assignments["ids"] == clustered).all()


def test_demo_customer_features_are_identical_between_runs(demo_builds):
    """Every mart derives from these; a last-bit difference in a money sum flips a
    rounded cent in dim_customer_segments and moves the fitted PCA and centroids."""
    first, second = (sorted_frame(build.table("int_customer_features")) for build in demo_builds)
    assert not differences(first, second), "\n".join(differences(first, second))
