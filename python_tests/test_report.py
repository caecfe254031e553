"""The HTML report: written from the marts, drawn offline in a real browser."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from browser import artifact_dir, open_page
from segmentation.cli import main as cli_main
from segmentation.report import (
    NOISE_COLOUR,
    _format,
    _Marts,
    _rfm_segment_order,
    _segment_colours,
    write_report,
)

# Charts every build with orders must have.
CORE_CHARTS = {
    "chart-histograms", "chart-correlations", "chart-k-selection", "chart-cluster-plot",
    "chart-dendrogram", "chart-segment-sizes", "chart-segment-heatmap",
}
# The customer value section's charts, when the value model was fitted.
VALUE_CHARTS = {"chart-value-alive", "chart-value-backtest", "chart-value-calibration"}
ALL_RENDERED = """() => {
    const ids = document.querySelector('meta[name=segmentation-charts]').content.split(' ');
    return ids.every(id => document.querySelector('#' + id + ' .main-svg'));
}"""


def _charts(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    marker = 'name="segmentation-charts" content="'
    start = text.index(marker) + len(marker)
    return set(text[start:text.index('"', start)].split())


def _section(path: Path, anchor: str) -> str | None:
    """The HTML of one report section, or None when the report left it out."""
    text = path.read_text(encoding="utf-8")
    start = text.find(f'<section id="{anchor}">')
    return None if start < 0 else text[start:text.index("</section>", start)]


def _render(report: Path, screenshot: str) -> tuple[set[str], object]:
    """Open the report offline; return the charts drawn and the page log."""
    with open_page(report.resolve().as_uri()) as (page, log):
        page.wait_for_function(ALL_RENDERED, timeout=60_000)
        drawn = set(page.evaluate(
            "() => [...document.querySelectorAll('figure.chart')]"
            ".filter(f => f.querySelector('.main-svg') && f.querySelector('.plot-container'))"
            ".map(f => f.dataset.chart)"))
        # Points and bars are really there, not just empty axes.
        marks = page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f =>"
            " [f.dataset.chart, f.querySelectorAll('.point, path.js-line, .hm, .sankey-node,"
            " image, .trace').length]))")
        assert all(count > 0 for count in marks.values()), marks
        page.screenshot(path=str(artifact_dir() / screenshot), full_page=True)
    return drawn, log


def test_report_of_the_demo_build_renders_every_chart_offline(build_demo_a, tmp_path):
    assert build_demo_a.succeeded, build_demo_a.describe()
    out = tmp_path / "report.html"
    assert cli_main(["report", "--db", str(build_demo_a.db_path), "--out", str(out),
                     "--quiet"]) == 0
    expected = CORE_CHARTS | VALUE_CHARTS | {"chart-rfm-grid", "chart-rfm-crosstab",
                                             "chart-method-agreement", "chart-gmm-bic"}
    listed = _charts(out)
    assert expected <= listed
    # The demo segments on behaviour, not on income: no income x spending plot.
    assert "chart-income-spending" not in listed

    drawn, log = _render(out, "report-demo.png")
    assert drawn == listed
    assert log.console_errors == []
    assert log.blocked_requests == [], "the report must not load anything from the network"
    text = out.read_text(encoding="utf-8")
    for name in build_demo_a.query("select segment_name from segment_profiles").segment_name:
        assert name in text
    # One format per kind of number: no scientific notation in any table cell.
    assert not re.search(r"<td>[-+]?[0-9.,]+e[-+][0-9]+</td>", text), "scientific notation"
    # The heat map shows the units that ranked the names.
    assert "in the model&#x27;s units" in text or "in the model's units" in text


def test_each_kind_of_number_has_one_format():
    assert _format(0.07658) == "0.0766"
    assert _format(-3e-09) == "0"
    assert _format(12.3456) == "12.35"
    assert _format(1583) == "1,583"
    assert _format(1583.0, "count") == "1,583"
    assert _format(1234.5, "money") == "1,234.50"
    assert _format(0.0766, "share") == "7.7%"
    assert _format(0.4212, "sd") == "+0.42"
    assert _format(-0.0, "sd") == "+0.00"
    assert _format(float("nan")) == ""


def test_rfm_segments_read_from_best_to_worst(build_demo_a):
    marts = _Marts(build_demo_a.db_path)
    try:
        present = ["Lost", "New Customers", "Champions", "At Risk", "No Purchase Yet",
                   "Hibernating", "Something Custom"]
        assert _rfm_segment_order(marts, present) == [
            "Champions", "At Risk", "Hibernating", "Lost", "No Purchase Yet", "New Customers",
            "Something Custom"]
    finally:
        marts.close()


def test_report_of_customers_only_data_has_the_income_spending_plot(build_planted_customers,
                                                                     tmp_path):
    assert build_planted_customers.succeeded, build_planted_customers.describe()
    out = write_report(build_planted_customers.db_path, tmp_path / "report.html")
    listed = _charts(out)
    assert {"chart-income-spending", "chart-cluster-plot", "chart-k-selection",
            "chart-dendrogram", "chart-histograms"} <= listed
    # No orders: no RFM grid of purchasers, and one line saying why; no revenue anywhere.
    assert "chart-rfm-grid" not in listed and "chart-rfm-crosstab" not in listed
    text = out.read_text(encoding="utf-8")
    assert "No orders in the input: recency, frequency and monetary value" in text
    assert "No orders in the input: the value models predict purchases" in text
    assert "share of revenue" not in text.lower() and "Revenue per customer" not in text
    assert "Size (no orders in the input, so no revenue)" in text
    drawn, log = _render(out, "report-customers-only.png")
    assert drawn == listed
    assert log.console_errors == [] and log.blocked_requests == []


def test_migration_is_drawn_when_history_exists(build_demo_a, tmp_path):
    """With a segment_migration table (history of runs) the report adds a Sankey."""
    db = tmp_path / "with_history.duckdb"
    shutil.copy(build_demo_a.db_path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("""
            create or replace table segment_migration as
            select * from (values
                (1, 2, 1, 1, 120, 1000.0), (1, 2, 1, 2, 15, 80.0), (1, 2, 2, 2, 300, 900.0),
                (1, 2, null, 1, 7, 0.0), (1, 2, 2, null, 4, 10.0)
            ) as t(from_run_id, to_run_id, from_segment_id, to_segment_id, customers, revenue)
        """)
    out = write_report(db, tmp_path / "report.html")
    assert "chart-migration" in _charts(out)
    text = out.read_text(encoding="utf-8")
    assert "(not yet a customer) (before)" in text and "(no longer in the data) (now)" in text


def test_heat_map_leaves_out_the_group_the_model_did_not_place(build_realistic_shop, tmp_path):
    """No Purchase Yet has no model-units position: no row of NaN cells, a line instead."""
    assert build_realistic_shop.succeeded, build_realistic_shop.describe()
    out = write_report(build_realistic_shop.db_path, tmp_path / "report.html")
    text = out.read_text(encoding="utf-8")
    assert "Not in the heat map: No Purchase Yet, customers the clustering did not place" in text
    start = text.index('id="chart-segment-heatmap"')
    heatmap = text[start:text.index("</figure>", start)]
    assert "NaN" not in heatmap and "No Purchase Yet" not in heatmap


def test_value_section_of_the_demo_build(build_demo_a, tmp_path):
    """Probability alive against recency and frequency, the backtest week by week
    with its final error, the calibration chart, and the value by segment."""
    assert build_demo_a.succeeded, build_demo_a.describe()
    out = write_report(build_demo_a.db_path, tmp_path / "report.html")
    assert VALUE_CHARTS <= _charts(out)
    section = _section(out, "value")
    assert section is not None
    assert "Probability alive by repeat purchases and weeks since the last purchase" in section
    # The final relative error, in words, in the backtest's heading.
    last = build_demo_a.query("select holdout_week, relative_error from "
                              "customer_value_backtest_weekly order by holdout_week desc limit 1")
    error = float(last.relative_error.iloc[0])
    assert (f"by week {int(last.holdout_week.iloc[0])} the model expected "
            f"{_format(abs(error), 'share')} {'fewer' if error < 0 else 'more'} "
            "than were made") in section
    assert ("Backtest by repeat purchases before the cut-off: mean holdout purchases, actual "
            "and predicted") in section
    # Every segment in the value table, in the report's order, the totals beside it.
    profiles = build_demo_a.query(
        "select segment_name, predicted_value_12m, value_at_risk from segment_profiles "
        "order by segment_id")
    table = section[section.index("<caption>Predicted value by segment</caption>"):]
    positions = [table.index(f"<td>{html.escape(name)}</td>") for name in profiles.segment_name]
    assert positions == sorted(positions)
    assert (f"{_format(profiles.predicted_value_12m.sum(), 'money')} predicted, "
            f"{_format(profiles.value_at_risk.sum(), 'money')} at risk") in section
    assert "No predicted value" not in section and "No backtest" not in section


# Reasons customer_value_model gives (segmentation.value, ml_customer_value_model).
NO_REPEAT_BUYERS = ("only 12 of 2000 customers bought again in the calibration window; BG/NBD "
                    "needs at least 30 repeat buyers to tell dropout from a low purchase rate")
SHORT_HISTORY = ("no customer's first purchase is by the backtest cut-off (as_of_date minus var "
                 "value_holdout_days = 182 days): the purchases span less than the holdout; "
                 "lower value_holdout_days")
VALUE_COLUMNS = ("probability_alive", "expected_purchases_90d", "expected_purchases_365d",
                 "expected_average_value", "predicted_value_12m", "value_at_risk")


def _unfit(source: Path, db: Path, purposes: dict[str, str]) -> Path:
    """A copy of `source` whose value model rows of `purposes` ({purpose: reason})
    were not fitted, the marts emptied as the build leaves them then."""
    shutil.copy(source, db)
    parameters = ", ".join(f"{name} = null" for name in (
        "r", "alpha", "a", "b", "bgnbd_log_likelihood", "bgnbd_customers", "repeat_buyers",
        "p", "q", "gamma", "gamma_gamma_log_likelihood", "gamma_gamma_customers"))
    with duckdb.connect(str(db)) as con:
        for purpose, reason in purposes.items():
            con.execute(f"update customer_value_model set status = 'not_fitted', reason = ?, "
                        f"{parameters} where purpose = ?", [reason, purpose])
        if "backtest" in purposes:
            for name in ("customer_value_backtest", "customer_value_backtest_weekly",
                         "customer_value_backtest_calibration"):
                con.execute(f"delete from {name}")
        if "score" in purposes:
            empty = ", ".join(f"{name} = null" for name in VALUE_COLUMNS)
            con.execute(f"update customer_value set {empty}, value_basis = 'no model: ' || ? "
                        "where repeat_purchases is not null", [purposes["score"]])
            con.execute("update segment_profiles set predicted_value_12m = null, "
                        "predicted_value_12m_per_customer = null, value_at_risk = null")
    return db


def test_value_section_of_an_unfitted_model_gives_the_reason(build_demo_a, tmp_path):
    """Too few repeat buyers: no model, empty value marts; one sentence says why, no
    charts (and no empty ones)."""
    db = _unfit(build_demo_a.db_path, tmp_path / "unfitted.duckdb",
                {"score": NO_REPEAT_BUYERS, "backtest": NO_REPEAT_BUYERS})
    out = write_report(db, tmp_path / "report.html")
    section = _section(out, "value")
    assert section is not None
    assert ("No predicted value in this build: the value model could not be fitted "
            f"({html.escape(NO_REPEAT_BUYERS)}).") in section
    assert "<figure" not in section and "<table" not in section
    listed = _charts(out)
    assert CORE_CHARTS <= listed and not {c for c in listed if c.startswith("chart-value-")}


def test_value_section_without_a_backtest_keeps_the_scores(build_demo_a, tmp_path):
    """A history shorter than the holdout: the values are there, the backtest
    says why it is not."""
    db = _unfit(build_demo_a.db_path, tmp_path / "no_backtest.duckdb",
                {"backtest": SHORT_HISTORY})
    out = write_report(db, tmp_path / "report.html")
    listed = _charts(out)
    assert "chart-value-alive" in listed
    assert "chart-value-backtest" not in listed and "chart-value-calibration" not in listed
    section = _section(out, "value")
    assert "<caption>Predicted value by segment</caption>" in section
    assert ("No backtest in this build: the value model could not be refitted on the "
            "purchases up to ") in section and html.escape(SHORT_HISTORY) in section


def test_report_of_a_build_without_the_value_marts_leaves_the_section_out(build_demo_a,
                                                                          tmp_path):
    """A database of an older version: no value marts, no value columns in
    segment_profiles; the rest of the report is as before."""
    db = tmp_path / "before_value.duckdb"
    shutil.copy(build_demo_a.db_path, db)
    with duckdb.connect(str(db)) as con:
        for name in ("customer_value", "customer_value_model", "customer_value_backtest",
                     "customer_value_backtest_weekly", "customer_value_backtest_calibration"):
            con.execute(f"drop table {name}")
        for column in ("predicted_value_12m", "predicted_value_12m_per_customer",
                       "value_at_risk"):
            con.execute(f"alter table segment_profiles drop column {column}")
    out = write_report(db, tmp_path / "report.html")
    assert _section(out, "value") is None
    listed = _charts(out)
    assert CORE_CHARTS <= listed and not listed & VALUE_CHARTS
    assert 'href="#value"' not in out.read_text(encoding="utf-8")


def test_every_segment_has_a_colour_of_its_own(tmp_path):
    """Segment ids are not consecutive (-1 No Purchase Yet, ids a refit retired):
    -1 and 11 once shared a colour in the migration chart."""
    db = tmp_path / "ids.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table segment_profiles as select unnest([-1, 0, 2, 5, 6, 8, 9, 10, "
                    "11, 12]) as segment_id")
        con.execute("create table segment_migration as select * from (values (1, 11), "
                    "(3, null), (null, 2)) as t(from_segment_id, to_segment_id)")
        for name in ("dim_customer_segments", "cluster_k_selection"):
            con.execute(f"create table {name} (x integer)")
    colours = _segment_colours(_Marts(db))
    assert set(colours) == {-1, 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12}
    assert colours[0] == NOISE_COLOUR
    segments = [colour for segment_id, colour in colours.items() if segment_id != 0]
    assert len(set(segments)) == len(segments) and NOISE_COLOUR not in segments


def test_report_progress_lines_and_atomic_write(build_demo_a, tmp_path):
    lines: list[str] = []
    out = write_report(build_demo_a.db_path, tmp_path / "nested" / "report.html",
                       progress=lines.append)
    assert lines[0].startswith("report: reading the marts")
    assert any("[10/10]" in line for line in lines) and "wrote" in lines[-1]
    assert out.exists() and not list(out.parent.glob("*.partial"))


def test_report_on_a_missing_file_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert cli_main(["report", "--db", str(missing), "--out", str(tmp_path / "r.html")]) == 2
    error = capsys.readouterr().err
    assert str(missing) in error and "dbt build" in error


def test_report_on_an_unfinished_build_names_the_missing_marts(tmp_path):
    db = tmp_path / "half.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table dim_customer_segments (customer_id varchar)")
    with pytest.raises(ValueError, match="segment_profiles, cluster_k_selection"):
        write_report(db, tmp_path / "r.html")


def _screenshot_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "report_screenshots", Path(__file__).resolve().parents[1] / "dev" / "report_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshot_command_writes_one_picture_per_section(build_realistic_shop, tmp_path):
    """dev/report_screenshots.py (what made docs/images): one PNG per report section,
    each a real picture of the page's width, and the docs show every section."""
    from browser import require_browser

    require_browser()
    assert build_realistic_shop.succeeded, build_realistic_shop.describe()
    out = tmp_path / "images"
    assert _screenshot_module().main(["--db", str(build_realistic_shop.db_path),
                                      "--out", str(out)]) == 0
    report = write_report(build_realistic_shop.db_path, tmp_path / "report.html")
    sections = re.findall(r'<section id="([^"]+)">', report.read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"report-{s}.png" for s in sections)
    for picture in out.iterdir():
        header = picture.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
        assert 1000 <= width <= 1200 and height >= 80, (picture.name, width, height)

    # The committed pictures: every section (migration too, from a history) is in
    # docs/images and shown in the docs.
    docs = Path(__file__).resolve().parents[1] / "docs"
    committed = {p.name for p in (docs / "images").glob("report-*.png")}
    assert {f"report-{s}.png" for s in [*sections, "migration"]} <= committed
    shown = (docs / "report.md").read_text(encoding="utf-8")
    assert all(f"images/{name}" in shown for name in committed)
