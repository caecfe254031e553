"""Segments over time: runs, history, stable ids, migration, drift, score mode."""

from __future__ import annotations

import json
import re
import shlex

import duckdb
import pytest

from segmentation.publish import SERVING_DB_NAME


def _ok(build):
    for step in build.info.get("steps", []):
        if step.name not in ("score_without_selector", "selector_without_score_mode",
                             "score_with_other_features"):
            assert step.succeeded, step.describe()
    assert build.succeeded, build.describe()
    return build


# --------------------------------------------------------------------------- demo, 3 runs


@pytest.fixture(scope="module")
def history(build_history_demo):
    return _ok(build_history_demo)


def customers_on(history, day: str) -> int:
    """Demo customers who had started by ``day``: signed up, or ordered, by then."""
    return int(history.query(f"""
        select count(*) from int_customers_cleaned as customers
        where customers.signup_date <= date '{day}'
            or exists (select 1 from int_order_lines_cleaned as lines
                       where lines.customer_id = customers.customer_id
                           and lines.order_date <= date '{day}')
    """).iloc[0, 0])


RUN_DATES = {20250630: "2025-06-30", 20250930: "2025-09-30", 20251231: "2025-12-31"}


def test_three_builds_at_successive_dates_record_three_runs(history):
    runs = history.query("select * from segmentation_runs order by run_id")
    assert runs.run_id.tolist() == [20250630, 20250930, 20251231]
    assert runs.run_mode.tolist() == ["fit", "fit", "score"]
    assert runs.fit_run_id.tolist() == [20250630, 20250930, 20250930]
    counts = history.query(
        "select run_id, count(*) as customers, count(distinct customer_id) as ids "
        "from customer_segment_history group by run_id order by run_id")
    expected = [customers_on(history, day) for day in RUN_DATES.values()]
    assert runs.customers.tolist() == expected
    assert counts.customers.tolist() == expected and counts.ids.tolist() == expected


def test_a_run_leaves_out_customers_who_had_not_started_yet(history):
    """The demo signs customers up through 2025: the June run must not segment later ones."""
    first, last = customers_on(history, "2025-06-30"), customers_on(history, "2025-12-31")
    assert first < last == 3000
    late = history.query("""
        select count(*) from customer_segment_history as history
        inner join int_customers_cleaned as customers using (customer_id)
        where history.run_id = 20250630 and customers.signup_date > date '2025-06-30'
            and not exists (select 1 from int_order_lines_cleaned as lines
                            where lines.customer_id = customers.customer_id
                                and lines.order_date <= date '2025-06-30')
    """).iloc[0, 0]
    assert late == 0


def test_the_published_customer_history_keeps_the_latest_runs(history):
    """var published_history_runs: 2 publishes two of the three runs; dbt's file keeps all."""
    exports = history.work_dir / "exports"
    expected = [(run_id, customers_on(history, RUN_DATES[run_id]))
                for run_id in (20250930, 20251231)]
    runs_sql = "select run_id, count(*) from {} group by run_id order by run_id"
    parquet = str(exports / "parquet" / "customer_segment_history.parquet")
    with duckdb.connect() as con:
        assert con.execute(runs_sql.format(f"read_parquet('{parquet}')")).fetchall() == expected
    with duckdb.connect(str(exports / SERVING_DB_NAME), read_only=True) as con:
        assert con.execute(runs_sql.format("customer_segment_history")).fetchall() == expected
    assert len(history.query("select distinct run_id from customer_segment_history")) == 3
    # The other history marts are small and published whole.
    with duckdb.connect(str(exports / SERVING_DB_NAME), read_only=True) as con:
        assert con.execute("select count(*) from segmentation_runs").fetchone() == (3,)


def test_migration_of_each_pair_of_runs_adds_up_to_their_customers(history):
    pairs = history.query(
        "select from_run_id, to_run_id, sum(customers) as customers, "
        "sum(case when from_segment_id is null then customers else 0 end) as arrived, "
        "sum(case when to_segment_id is null then customers else 0 end) as left_ "
        "from segment_migration group by 1, 2 order by 2")
    assert list(zip(pairs.from_run_id, pairs.to_run_id, strict=True)) == [
        (20250630, 20250930), (20250930, 20251231)]
    for pair in pairs.itertuples():
        in_either = history.query(
            "select count(distinct customer_id) as n from customer_segment_history "
            "where run_id in (?, ?)", [pair.from_run_id, pair.to_run_id]).n.iloc[0]
        assert pair.customers == in_either
    # Each cell agrees with the customers' recorded segments.
    cells = history.query("""
        select a.segment_id as from_segment_id, b.segment_id as to_segment_id, count(*) as n
        from customer_segment_history a join customer_segment_history b using (customer_id)
        where a.run_id = 20250930 and b.run_id = 20251231 group by 1, 2""")
    migration = history.query(
        "select from_segment_id, to_segment_id, customers as n from segment_migration "
        "where to_run_id = 20251231 and from_segment_id is not null "
        "and to_segment_id is not null")
    merged = cells.merge(migration, on=["from_segment_id", "to_segment_id"], how="outer")
    assert (merged.n_x == merged.n_y).all(), merged
    # Customers who started between the two dates arrive from no segment.
    arrived = history.query(
        "select coalesce(sum(customers), 0) as n from segment_migration "
        "where to_run_id = 20251231 and from_segment_id is null").n.iloc[0]
    assert arrived == customers_on(history, "2025-12-31") - customers_on(history, "2025-09-30")


def test_scoring_keeps_the_fitted_segments_ids_and_names(history):
    lineage = history.query("select * from segment_lineage order by run_id, segment_id")
    fitted = lineage[lineage.run_id == 20250930]
    scored = lineage[lineage.run_id == 20251231]
    assert set(scored.segment_id) <= set(fitted.segment_id)
    clusters = scored[scored.segment_id > 0]
    assert (clusters.lineage_status == "continued").all()
    assert (scored[scored.segment_id == -1].lineage_status == "no_purchase").all()
    names = fitted.set_index("segment_id").segment_name
    assert (scored.segment_name == scored.segment_id.map(names)).all()
    # The score run refitted nothing: its k diagnostics are the fit's.
    assert history.query(
        "select count(*) as n from cluster_k_selection where method = 'kmeans' and is_chosen"
    ).n.iloc[0] == 1


def test_lineage_ids_are_never_recycled(history):
    lineage = history.query("select run_id, segment_id, lineage_status from segment_lineage")
    first_seen = lineage.groupby("segment_id").run_id.min()
    fresh = lineage[lineage.lineage_status.isin(["new", "split", "merged"])]
    # A new id appears for the first time in the run that issued it.
    assert (fresh.run_id.to_numpy() == first_seen[fresh.segment_id].to_numpy()).all()


def test_drift_compares_each_run_with_the_previous(history):
    drift = history.query("select * from segment_drift")
    assert set(drift.run_id) == {20250930, 20251231}
    psi = drift[drift.drift_type == "feature_psi"]
    assert psi.psi.notna().all() and (psi.psi >= 0).all()
    features = history.query("select distinct feature_name from eda_feature_summary")
    assert set(psi[psi.run_id == 20251231].feature_name) == set(features.feature_name)
    shares = drift[drift.drift_type == "segment_share"]
    # Each share is rounded to 6 decimals (segment_profiles.customer_share).
    for _, part in shares.groupby("run_id"):
        assert part.current_value.sum() == pytest.approx(1.0, abs=1e-5)
        assert part.previous_value.sum() == pytest.approx(1.0, abs=1e-5)
    assert (drift.is_drifted == (drift.change.abs().fillna(0) > drift.threshold)
            | (drift.psi.fillna(0) > drift.threshold)).all()
    # Six months of ageing customers move the distributions: the test warns,
    # by a name that says what it means, and the build summary says what drifted.
    assert "WARN" in history.output, history.output[-3000:]
    assert "latest_run_drifted_from_the_previous_see_build_summary" in history.output
    summary = history.output[history.output.index("Build summary"):]
    latest = drift[(drift.run_id == 20251231) & drift.is_drifted]
    assert len(latest) > 0
    for row in latest.itertuples():
        if row.drift_type == "feature_psi":
            assert (f"Drift since run 20250930: {row.feature_name} changed its distribution "
                    f"(PSI {row.psi:.2f}, above {row.threshold:g})") in summary, summary
        else:
            assert (f"Drift since run 20250930: {row.segment_name} went from "
                    f"{100 * row.previous_value:.1f}% to {100 * row.current_value:.1f}%"
                    ) in summary, summary


def test_the_build_ends_with_a_summary_true_of_the_marts(history):
    summary = history.output[history.output.index("Build summary"):]
    profiles = history.query("select segment_name, customers from segment_profiles")
    for row in profiles.itertuples():
        assert f"    {row.segment_name}: {row.customers:,} (" in summary, summary
    total = int(profiles.customers.sum())
    assert f"  {total:,} customers as of 2025-12-31 in " in summary, summary
    assert f"Report: segmentation report --db {history.db_path} --out report.html" in summary


# --------------------------------------------------------------------------- stable ids


@pytest.fixture(scope="module")
def planted(build_history_planted):
    return _ok(build_history_planted)


def test_same_groups_keep_ids_and_names_after_a_tenth_changed(planted):
    first_build = planted.info["steps"][0]
    assert first_build.db_path == planted.db_path  # one history, three builds
    lineage = planted.query("select * from segment_lineage order by run_id, segment_id")
    first = lineage[lineage.run_id == 20251230].set_index("segment_id")
    second = lineage[lineage.run_id == 20251231].set_index("segment_id")
    assert len(first) == len(second) == 4
    assert (second.lineage_status == "continued").all(), second
    assert second.index.tolist() == first.index.tolist()
    assert (second.segment_name == first.segment_name).all()
    assert (second.match_distance < 0.5).all()
    # The kept customers stay with their planted group's segment.
    history = planted.query(
        "select a.customer_id, a.segment_id as before_id, b.segment_id as after_id "
        "from customer_segment_history a join customer_segment_history b using (customer_id) "
        "where a.run_id = 20251230 and b.run_id = 20251231")
    assert len(history) == 600 - len(planted.info["replaced"])
    assert (history.before_id == history.after_id).mean() > 0.99


def test_a_rebuild_for_the_same_date_replaces_its_run(planted):
    runs = planted.query("select run_id from segmentation_runs order by run_id")
    assert runs.run_id.tolist() == [20251230, 20251231]
    rows = planted.query(
        "select run_id, count(*) as n from customer_segment_history group by run_id "
        "order by run_id")
    assert rows.n.tolist() == [600, 600]
    migration = planted.query("select to_run_id, sum(customers) as n from segment_migration "
                              "group by to_run_id")
    # 540 kept + 60 gone + 60 new customers.
    assert migration.n.tolist() == [600 + len(planted.info["replaced"])]


# --------------------------------------------------------------------------- score mode


@pytest.fixture(scope="module")
def scored(build_score_planted_customers):
    return _ok(build_score_planted_customers)


def test_score_mode_assigns_unchanged_customers_exactly_as_the_fit(scored):
    both = scored.query(
        "select a.customer_id, a.segment_id as fitted, b.segment_id as scored "
        "from customer_segment_history a join customer_segment_history b using (customer_id) "
        "where a.run_id = 20250131 and b.run_id = 20250228")
    assert len(both) == 400
    assert (both.fitted == both.scored).all()
    newcomers = scored.query(
        "select count(*) as n from customer_segment_history "
        "where run_id = 20250228 and customer_id like 'new-%'")
    assert newcomers.n.iloc[0] == 40
    runs = scored.query("select run_mode, fit_run_id from segmentation_runs order by run_id")
    assert runs.run_mode.tolist() == ["fit", "score"]
    assert runs.fit_run_id.tolist() == [20250131, 20250131]


def _suggested_vars(output: str) -> list[dict]:
    """The --vars of every command a message suggests, read as a shell would.

    dbt prints an error twice (as it happens and in the summary): each
    suggestion is kept once. The suggestions are JSON; --vars '{...}' in YAML
    elsewhere in the output (dbt echoing a setting) is not one.
    """
    options = dict.fromkeys(re.findall(r"--vars '\{\"(?:[^']|'\\'')*'", output))
    return [json.loads(shlex.split(option)[1]) for option in options]


def test_score_mode_without_the_selector_is_refused_before_anything_runs(scored):
    refused = scored.info["steps"][1]
    assert not refused.succeeded
    assert "var mode is 'score', but this command would refit" in refused.output
    # The suggested command keeps every var the user gave, not only mode.
    assert "dbt build --selector score --vars '" in refused.output
    assert _suggested_vars(refused.output) == [refused.vars]
    # Leaving the fit out without saying so would record a fit that refitted nothing.
    unmarked = scored.info["steps"][2]
    assert not unmarked.succeeded
    assert "refits nothing but records a run as a fit" in unmarked.output
    # Scoring replays the fit's scaling, so other features are refused by name.
    other_features = scored.info["steps"][3]
    assert not other_features.succeeded
    assert ("var features names annual_income, but the stored model (run 20250131) was fitted "
            "on annual_income, spending_score") in other_features.output, other_features.describe()
    # Nothing was recorded by the refused builds.
    assert len(scored.query("select * from segmentation_runs")) == 2


def test_score_mode_refuses_a_model_left_by_an_interrupted_fit(
        build_fail_score_after_interrupted_fit):
    build = build_fail_score_after_interrupted_fit
    first, interrupted = build.info["steps"]
    assert first.succeeded, first.describe()
    assert not interrupted.succeeded and "has no variance" in interrupted.output, (
        interrupted.describe())
    # The interrupted fit had already replaced the start of the stored model.
    assert "OK created sql table model main.ml_feature_scaling" in interrupted.output
    assert not build.succeeded, build.describe()
    assert "the last fit build (run 20250228) stopped before it finished" in build.output, (
        build.describe())
    assert "OK created" not in build.output, build.describe()


def test_score_mode_refuses_a_fit_table_written_by_another_build(
        build_fail_score_after_scaling_rebuilt):
    """ml_fit_run and segment_lineage agree, but the scaling is newer: the
    guard reads every fit table's stamp, not only the two run tables."""
    build = build_fail_score_after_scaling_rebuilt
    fit, rebuilt = build.info["steps"]
    assert fit.succeeded, fit.describe()
    assert rebuilt.succeeded, rebuilt.describe()
    assert "OK created sql table model main.ml_feature_scaling" in rebuilt.output
    assert "main.ml_fit_run" not in rebuilt.output
    assert not build.succeeded, build.describe()
    assert "var mode is 'score', but ml_feature_scaling (invocation " in build.output, (
        build.describe())
    assert "was written by another build than the last complete fit (run 20250131" \
        in build.output, build.describe()
    assert "OK created" not in build.output, build.describe()


def test_score_mode_needs_a_fit_first(tmp_path):
    from dbt_runner import run_dbt_build

    build = run_dbt_build(tmp_path, {"mode": "score"}, name="score_first")
    assert not build.succeeded
    assert "no fitted model to score with" in build.output


def test_the_report_draws_the_latest_migration(history, tmp_path):
    from segmentation.report import write_report

    out = write_report(history.db_path, tmp_path / "report.html")
    text = out.read_text(encoding="utf-8")
    assert "chart-migration" in text
    assert "from run 20250930 to run 20251231" in text
    # Segments are named in the flow, the names of the run they belong to.
    lineage = history.query(
        "select segment_id, segment_name from segment_lineage where run_id = 20251231")
    for row in lineage.itertuples():
        assert f"{row.segment_name} [{row.segment_id}] (now)" in text


# ------------------------------------------------------------ one history per data set
def _copy_of_history(history, tmp_path):
    """The demo history's DuckDB file, copied so a test can build into it."""
    import shutil

    copy = tmp_path / "history_copy.duckdb"
    shutil.copyfile(history.db_path, copy)
    return copy


def test_another_company_built_into_the_file_stops_before_any_model(history, tmp_path):
    from dbt_runner import run_dbt_build
    from segmentation.demo.files import write_table
    from segmentation.demo.planted import generate_planted_customers

    shop = tmp_path / "shop"
    shop.mkdir()
    import pyarrow.compute as pc

    customers, _ = generate_planted_customers(40, 3, random_state=0)
    # Ids of its own: the demo's are 000001..., like the planted generator's.
    customers = customers.set_column(0, "customer_id", pc.binary_join_element_wise(
        "shop-", customers["customer_id"], ""))
    write_table(customers, shop / "customers.csv", file_format="csv")
    db_path = _copy_of_history(history, tmp_path)
    refused = run_dbt_build(tmp_path / "other", {"input_dir": str(shop)}, db_path=db_path,
                            name="other_company")
    assert not refused.succeeded
    assert (f"{db_path} holds the history of another input: its latest run (as of 2025-12-31) "
            f"read demo seeds, this build reads {shop}, which holds 0 of that run's "
            in refused.output), refused.describe()
    assert _suggested_vars(refused.output) == [
        {**refused.vars, "export_dir": "<folder>"}, {**refused.vars, "continue_history": True}]
    assert "OK created" not in refused.output, refused.describe()
    # Said to be the same company, it continues the history.
    continued = run_dbt_build(tmp_path / "same", {"input_dir": str(shop), "continue_history": True},
                              db_path=db_path, name="same_company")
    assert continued.succeeded, continued.describe()
    runs = duckdb.connect(str(db_path), read_only=True).execute(
        "select count(*) from segmentation_runs").fetchall()[0][0]
    assert runs == 4


def test_a_run_dated_before_the_history_needs_allow_backfill(history, tmp_path):
    from dbt_runner import run_dbt_build

    db_path = _copy_of_history(history, tmp_path)
    # A quote in a var's value survives the suggested command (shell quoting).
    refused = run_dbt_build(tmp_path / "early", {"as_of_date": "2025-03-31",
                                                 "export_dir": str(tmp_path / "o'brien")},
                            db_path=db_path, name="backfill")
    assert not refused.succeeded
    assert ("var as_of_date 2025-03-31 is earlier than the latest run " + str(db_path)
            + " holds (as of 2025-12-31)") in refused.output, refused.describe()
    assert _suggested_vars(refused.output) == [{**refused.vars, "allow_backfill": True}]
    assert "OK created" not in refused.output, refused.describe()
