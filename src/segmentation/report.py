"""The segmentation report: one self-contained HTML file drawn from the marts.

Every number comes from the marts in the DuckDB file (read-only); the report
queries only aggregates and bounded samples, so it takes about the same time
for 3,000 customers as for a million. plotly.js is inlined once, so the file
opens offline (no script, font or style is fetched from the network), and the
charts keep plotly's hover, zoom and legend toggles.

Sections: overview, exploration (distributions before and after
transformation, correlations, summary), choosing k, cluster plots, the Ward
dendrogram, segment profiles (sizes, standardized means, drivers, rules,
actions), RFM, customer value (probability alive, the value model's backtest,
predicted value by segment) where the value marts exist, agreement between
methods, and migration between runs where a `segment_migration` table exists.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

# Marts without which there is no report (a build that did not finish).
REQUIRED_TABLES = ("dim_customer_segments", "segment_profiles", "cluster_k_selection")
# Points drawn in a scatter: enough to see the shape, small enough to stay fast.
SCATTER_SAMPLE = 4000
PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B",
           "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC", "#1F77B4", "#D62728")
NOISE_COLOUR = "#7F7F7F"
# Cells of the probability-alive heat map, (lower bound, label): weeks since the
# last purchase by month, quarter, half-year and year; repeat purchases one by
# one where most customers are, wider above.
WEEKS_SINCE_BINS = ((0, "0-4"), (4, "4-8"), (8, "8-13"), (13, "13-26"), (26, "26-39"),
                    (39, "39-52"), (52, "52-78"), (78, "78-104"), (104, "104+"))
REPEAT_PURCHASE_BINS = ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5-6"),
                        (7, "7-9"), (10, "10+"))
PLOT_CONFIG = {"displaylogo": False, "responsive": True}

Progress = Callable[[str], None]


@dataclass
class Section:
    """One part of the report: a heading, an introduction, charts and tables."""

    anchor: str
    title: str
    intro: str = ""
    blocks: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # ids of the charts in blocks


class _Marts:
    """Read-only access to the marts; knows which tables exist."""

    def __init__(self, db_path: Path):
        if not db_path.exists():
            raise FileNotFoundError(
                f"{db_path}: no such DuckDB file; run `dbt build` first "
                "(or pass --db / set SEGMENTATION_DUCKDB_PATH)")
        try:
            self.con = duckdb.connect(str(db_path), read_only=True)
        except duckdb.IOException as error:
            raise ValueError(
                f"{db_path}: cannot open it read-only ({error}). A `dbt build` that is "
                "still running holds the write lock; run the report when it has finished."
            ) from error
        self.tables = {
            row[0] for row in self.con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = current_schema()").fetchall()}
        missing = [name for name in REQUIRED_TABLES if name not in self.tables]
        if missing:
            raise ValueError(
                f"{db_path}: not a finished segmentation build, table(s) "
                f"{', '.join(missing)} missing; run `dbt build` first")

    def has(self, *names: str) -> bool:
        return all(name in self.tables for name in names)

    def frame(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def close(self) -> None:
        self.con.close()


def write_report(db_path: Path, out_path: Path, *, title: str = "Customer segmentation",
                 progress: Progress | None = None) -> Path:
    """Write the report of the build in `db_path` to `out_path` and return the path."""
    say = progress or (lambda message: None)
    started = time.perf_counter()
    say(f"report: reading the marts in {db_path}")
    marts = _Marts(Path(db_path))
    try:
        colours = _segment_colours(marts)
        steps: list[tuple[str, Callable[[], Section | None]]] = [
            ("overview", lambda: _overview(marts)),
            ("exploration", lambda: _exploration(marts)),
            ("choosing k", lambda: _k_selection(marts)),
            ("cluster plots", lambda: _cluster_plots(marts, colours)),
            ("dendrogram", lambda: _dendrogram(marts)),
            ("segment profiles", lambda: _profiles(marts, colours)),
            ("RFM", lambda: _rfm(marts)),
            ("customer value", lambda: _value(marts)),
            ("method agreement", lambda: _agreement(marts)),
            ("migration", lambda: _migration(marts, colours)),
        ]
        sections = []
        for number, (name, step) in enumerate(steps, start=1):
            say(f"report: [{number}/{len(steps)}] {name}")
            section = step()
            if section is not None:
                sections.append(section)
        meta = _build_facts(marts)
    finally:
        marts.close()

    document = _page(title, meta, sections)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a reader never sees half a file.
    partial = out_path.with_name(out_path.name + ".partial")
    partial.write_text(document, encoding="utf-8")
    partial.replace(out_path)
    charts = sum(len(section.charts) for section in sections)
    say(f"report: wrote {out_path} ({out_path.stat().st_size / 1e6:.1f} MB, {charts} charts) "
        f"in {time.perf_counter() - started:.1f} s")
    return out_path


# --------------------------------------------------------------------------- sections


def _overview(marts: _Marts) -> Section:
    facts = _build_facts(marts)
    cards = [
        ("Customers", f"{facts['customers']:,}"),
        ("Segments", f"{facts['segments']}"),
        ("Method", facts["method"]),
        ("As of", facts["as_of_date"]),
    ]
    if facts.get("quarantined") is not None:
        cards.append(("Rows quarantined", f"{facts['quarantined']:,}"))
    body = "".join(
        f'<div class="card"><div class="card-value">{html.escape(str(value))}</div>'
        f'<div class="card-label">{html.escape(label)}</div></div>' for label, value in cards)
    section = Section("overview", "Overview", blocks=[f'<div class="cards">{body}</div>'])
    profiles = marts.frame(
        "select segment_id, segment_name, segment_description, customers, customer_share, "
        "revenue_share from segment_profiles order by segment_id")
    columns = {"segment_id": "Segment", "segment_name": "Name",
               "segment_description": "What sets it apart", "customers": "Customers",
               "customer_share": "Share of customers", "revenue_share": "Share of revenue"}
    if not _has_orders(marts):
        del columns["revenue_share"]
    section.blocks.append(_table(
        profiles, columns,
        kinds={"customers": "count", "customer_share": "share", "revenue_share": "share"}))
    return section


def _exploration(marts: _Marts) -> Section | None:
    if not marts.has("eda_feature_histograms", "eda_feature_summary"):
        return None
    section = Section(
        "exploration", "Exploration",
        "Each feature as it came in (business units) and as the clustering saw it "
        "(imputed, capped, log-transformed where skewed, standardized).")
    bins = marts.frame(
        "select h.feature_name, h.stage, h.bin_lower, h.bin_upper, h.customers, "
        "s.feature_position from eda_feature_histograms h join eda_feature_summary s "
        "using (feature_name, stage) order by s.feature_position, h.stage desc, h.bin_number")
    features = list(dict.fromkeys(bins["feature_name"]))
    if features:
        figure = make_subplots(
            rows=len(features), cols=2, horizontal_spacing=0.08,
            vertical_spacing=min(0.1, 0.8 / max(len(features), 1)),
            subplot_titles=[f"{_label(name)} ({stage})" for name in features
                            for stage in ("raw", "model input")])
        for row, name in enumerate(features, start=1):
            for col, stage in enumerate(("raw", "model_input"), start=1):
                part = bins[(bins.feature_name == name) & (bins.stage == stage)]
                figure.add_trace(go.Bar(
                    x=(part.bin_lower + part.bin_upper) / 2, y=part.customers,
                    width=(part.bin_upper - part.bin_lower) * 0.95,
                    marker_color=PALETTE[0] if stage == "raw" else PALETTE[1],
                    name=stage.replace("_", " "), showlegend=False,
                    customdata=np.stack([part.bin_lower, part.bin_upper], axis=-1),
                    hovertemplate="%{customdata[0]:.4g} to %{customdata[1]:.4g}: "
                                  "%{y:,} customers<extra></extra>"), row=row, col=col)
        for row in range(1, len(features) + 1):
            figure.update_xaxes(title_text="value (business units)", row=row, col=1)
            figure.update_xaxes(title_text="value (standardized)", row=row, col=2)
        figure.update_yaxes(title_text="customers")
        figure.update_layout(height=max(320, 250 * len(features)), bargap=0)
        section.blocks.append(_chart(figure, "chart-histograms", "Distributions", section))

    if marts.has("eda_feature_correlations"):
        correlations = marts.frame(
            "select feature_x, feature_y, position_x, position_y, correlation "
            "from eda_feature_correlations order by position_y, position_x")
        if not correlations.empty:
            matrix = correlations.pivot(index="position_y", columns="position_x",
                                        values="correlation")
            names = (correlations.drop_duplicates("position_x")
                     .sort_values("position_x")["feature_x"].map(_label).tolist())
            figure = go.Figure(go.Heatmap(
                z=matrix.to_numpy(), x=names, y=names, zmin=-1, zmax=1,
                colorscale="RdBu", reversescale=True,
                text=np.round(matrix.to_numpy(), 2), texttemplate="%{text}",
                hovertemplate="%{y} x %{x}: %{z:.3f}<extra></extra>"))
            figure.update_layout(height=min(900, 220 + 45 * len(names)),
                                 yaxis_autorange="reversed")
            section.blocks.append(_chart(figure, "chart-correlations",
                                         "Correlation of the model inputs", section))

    summary = marts.frame(
        "select feature_name, stage, customers, missing_values, mean_value, sd_value, "
        "min_value, median_value, max_value, transformation from eda_feature_summary "
        "order by feature_position, stage desc")
    section.blocks.append(_table(summary, {
        "feature_name": "Feature", "stage": "Stage", "customers": "Customers",
        "missing_values": "Missing", "mean_value": "Mean", "sd_value": "SD",
        "min_value": "Min", "median_value": "Median", "max_value": "Max",
        "transformation": "Transformation"},
        kinds={"customers": "count", "missing_values": "count"}, caption="Summary"))
    return section


def _k_selection(marts: _Marts) -> Section:
    # A build of an older version has no is_elbow: no elbow mark then.
    elbow = ("is_elbow" if "is_elbow" in marts.frame("select * from cluster_k_selection limit 0")
             else "null as is_elbow")
    frame = marts.frame(
        "select method, k, inertia, silhouette, calinski_harabasz, davies_bouldin, "
        f"is_chosen, selection_rule, bic, stability_ari, {elbow} from cluster_k_selection "
        "where method in ('kmeans', 'hierarchical', 'gmm') order by method, k")
    section = Section(
        "k-selection", "Choosing k",
        "KMeans over the range of k: the elbow of inertia, silhouette (higher is better), "
        "Calinski-Harabasz (higher) and Davies-Bouldin (lower). The chosen k is marked.")
    figure = make_subplots(rows=2, cols=2, subplot_titles=(
        "Inertia (elbow marked)", "Silhouette", "Calinski-Harabasz", "Davies-Bouldin"))
    panels = (("inertia", 1, 1), ("silhouette", 1, 2),
              ("calinski_harabasz", 2, 1), ("davies_bouldin", 2, 2))
    styles = {"kmeans": PALETTE[0], "hierarchical": PALETTE[1]}
    for method, colour in styles.items():
        part = frame[frame.method == method]
        if part.empty:
            continue
        for column, row, col in panels:
            figure.add_trace(go.Scatter(
                x=part.k, y=part[column], mode="lines+markers", name=method,
                legendgroup=method, showlegend=(row, col) == (1, 1),
                line_color=colour), row=row, col=col)
            chosen = part[part.is_chosen]
            figure.add_trace(go.Scatter(
                x=chosen.k, y=chosen[column], mode="markers", name=f"{method}: chosen k",
                legendgroup=method, showlegend=False,
                marker={"size": 15, "symbol": "star", "color": colour,
                        "line": {"width": 1, "color": "black"}},
                hovertemplate="chosen k = %{x}<extra></extra>"), row=row, col=col)
    # The elbow criterion's own vote (read from k = 1), so the mark and the rule
    # below name the same k.
    elbows = frame[(frame.method == "kmeans") & frame.is_elbow.fillna(False).astype(bool)].k
    elbow = int(elbows.iloc[0]) if len(elbows) else None
    if elbow is not None:
        figure.add_vline(x=elbow, line_dash="dot", line_color="grey", row=1, col=1,
                         annotation_text=f"elbow k={elbow}", annotation_position="top right")
    chosen = frame[(frame.method == "kmeans") & frame.is_chosen]
    if not chosen.empty:
        for row, col in ((1, 1), (1, 2), (2, 1), (2, 2)):
            figure.add_vline(x=int(chosen.k.iloc[0]), line_color="rgba(0,0,0,0.25)",
                             line_width=6, row=row, col=col)
    figure.update_layout(height=620)
    figure.update_xaxes(title_text="k", dtick=1)
    section.blocks.append(_chart(figure, "chart-k-selection", "Diagnostics against k", section))
    if not chosen.empty:
        rule = chosen.selection_rule.iloc[0]
        stability = chosen.stability_ari.iloc[0]
        text = f"KMeans chose k = {int(chosen.k.iloc[0])}: {rule}."
        if pd.notna(stability):
            text += (f" Bootstrap stability (mean adjusted Rand index of refits): "
                     f"{stability:.2f}.")
        section.blocks.append(f"<p>{html.escape(text)}</p>")

    gmm = frame[frame.method == "gmm"].dropna(subset=["bic"])
    if not gmm.empty:
        figure = go.Figure(go.Scatter(x=gmm.k, y=gmm.bic, mode="lines+markers",
                                      name="BIC", line_color=PALETTE[2]))
        picked = gmm[gmm.is_chosen]
        figure.add_trace(go.Scatter(x=picked.k, y=picked.bic, mode="markers", name="chosen",
                                    marker={"size": 15, "symbol": "star",
                                            "color": PALETTE[2]}))
        figure.update_layout(height=340, xaxis_title="components", yaxis_title="BIC")
        section.blocks.append(_chart(figure, "chart-gmm-bic",
                                     "Gaussian mixture: BIC against components (lower is better)",
                                     section))
    return section


def _cluster_plots(marts: _Marts, colours: dict[int, str]) -> Section | None:
    section = Section(
        "clusters", "Cluster plots",
        f"Customers on the first two principal components of the model inputs, coloured by "
        f"segment (a deterministic sample of at most {SCATTER_SAMPLE:,}). Click a segment in "
        "the legend to hide it.")
    if marts.has("customer_projection"):
        points = marts.frame(
            "select segment_id, segment_name, pc1, pc2, pc1_explained_variance_ratio as v1, "
            "pc2_explained_variance_ratio as v2 from customer_projection "
            "order by md5(customer_id) limit ?", [SCATTER_SAMPLE])
        if not points.empty:
            figure = _scatter_by_segment(points, "pc1", "pc2", colours)
            figure.update_layout(
                height=560,
                xaxis_title=f"PC1 ({points.v1.iloc[0]:.0%} of variance)",
                yaxis_title=f"PC2 ({points.v2.iloc[0]:.0%} of variance)")
            section.blocks.append(_chart(figure, "chart-cluster-plot",
                                         "Segments on the principal components", section))
    # The classic mall-customers picture, when income and spending score are
    # what the segments were fitted on.
    inputs = set(marts.frame("select feature_name from eda_feature_summary").feature_name
                 if marts.has("eda_feature_summary") else ())
    if {"annual_income", "spending_score"} <= inputs:
        points = marts.frame(
            "select segment_id, segment_name, annual_income, spending_score "
            "from dim_customer_segments "
            "where annual_income is not null and spending_score is not null "
            "order by md5(customer_id) limit ?", [SCATTER_SAMPLE])
        figure = _scatter_by_segment(points, "annual_income", "spending_score", colours)
        figure.update_layout(height=520, xaxis_title="Annual income",
                             yaxis_title="Spending score")
        section.blocks.append(_chart(figure, "chart-income-spending",
                                     "Annual income against spending score", section))
    return section if section.charts else None


def _dendrogram(marts: _Marts) -> Section | None:
    if not marts.has("cluster_linkage"):
        return None
    nodes = marts.frame(
        "select node_id, left_child_id, right_child_id, merge_height, dendrogram_x, "
        "cluster_id, is_leaf, fit_customers from cluster_linkage order by node_id")
    merges = nodes[~nodes.is_leaf]
    if merges.empty:
        return None
    position = nodes.set_index("node_id")[["dendrogram_x", "merge_height"]]
    section = Section(
        "dendrogram", "Dendrogram",
        f"Ward's linkage over {int((nodes.is_leaf).sum()):,} micro-clusters of the fit sample. "
        "The dashed line cuts the tree into the hierarchical clusters; branches below it take "
        "their cluster's colour.")
    figure = go.Figure()
    groups: dict[object, tuple[list, list]] = {}
    for node in merges.itertuples():
        left, right = position.loc[node.left_child_id], position.loc[node.right_child_id]
        xs = [left.dendrogram_x, left.dendrogram_x, right.dendrogram_x, right.dendrogram_x, None]
        ys = [left.merge_height, node.merge_height, node.merge_height, right.merge_height, None]
        key = int(node.cluster_id) if pd.notna(node.cluster_id) else None
        groups.setdefault(key, ([], []))
        groups[key][0].extend(xs)
        groups[key][1].extend(ys)
    for key in sorted(groups, key=lambda value: (value is None, value or 0)):
        xs, ys = groups[key]
        figure.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip",
            name="above the cut" if key is None else f"hierarchical cluster {key}",
            line={"width": 1.2,
                  "color": NOISE_COLOUR if key is None else PALETTE[(key - 1) % len(PALETTE)]}))
    below = merges[merges.cluster_id.notna()].merge_height
    above = merges[merges.cluster_id.isna()].merge_height
    if not above.empty:
        cut = ((below.max() if not below.empty else 0.0) + above.min()) / 2
        clusters = int(nodes.cluster_id.nunique())
        figure.add_hline(y=cut, line_dash="dash", line_color="black",
                         annotation_text=f"cut: {clusters} clusters",
                         annotation_position="top left")
    figure.update_layout(height=520, xaxis={"showticklabels": False, "title": "micro-clusters"},
                         yaxis_title="Ward merge distance")
    section.blocks.append(_chart(figure, "chart-dendrogram", "Ward dendrogram", section))
    return section


def _profiles(marts: _Marts, colours: dict[int, str]) -> Section:
    section = Section("profiles", "Segment profiles",
                      "Who is in each segment, what sets it apart, and what to do about it.")
    profiles = marts.frame(
        "select segment_id, segment_name, customers, customer_share, revenue_share, "
        "revenue_per_customer from segment_profiles order by segment_id")
    has_orders = _has_orders(marts)
    figure = go.Figure()
    figure.add_trace(go.Bar(x=profiles.segment_name, y=profiles.customer_share,
                            name="share of customers", marker_color=PALETTE[0]))
    if has_orders:
        figure.add_trace(go.Bar(x=profiles.segment_name, y=profiles.revenue_share,
                                name="share of revenue", marker_color=PALETTE[1]))
    figure.update_layout(barmode="group", height=420, yaxis_tickformat=".0%",
                         yaxis_title="share", showlegend=has_orders)
    section.blocks.append(_chart(figure, "chart-segment-sizes",
                                 "Size and revenue share" if has_orders else
                                 "Size (no orders in the input, so no revenue)", section))

    if marts.has("segment_drivers"):
        # The model-units difference (after the log transform of skewed
        # features) is what ranks the drivers and names the segments, so the
        # heat map shows it; business units are beside it, in the hover and
        # the table. On heavy-tailed spend the two can disagree in sign.
        drivers = marts.frame(
            "select segment_id, segment_name, feature_name, model_space_difference, "
            "standardized_difference, segment_mean, population_mean, driver_rank "
            "from segment_drivers where is_clustering_feature order by segment_id, feature_name")
        if not drivers.empty:
            matrix = drivers.pivot(index="segment_name", columns="feature_name",
                                   values="model_space_difference")
            means = drivers.pivot(index="segment_name", columns="feature_name",
                                  values="segment_mean")
            order = profiles.segment_name[profiles.segment_name.isin(matrix.index)]
            matrix, means = matrix.loc[order], means.loc[order, matrix.columns]
            # A group outside the model (No Purchase Yet) has no model-units
            # difference: a row of NaN cells says nothing, a line says why.
            unmodelled = matrix.index[matrix.isna().all(axis=1)].tolist()
            matrix, means = matrix.drop(index=unmodelled), means.drop(index=unmodelled)
            values = matrix.to_numpy(dtype=float)
            limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
            figure = go.Figure(go.Heatmap(
                z=values, x=[_label(c) for c in matrix.columns], y=matrix.index,
                zmin=-limit, zmax=limit, colorscale="RdBu", reversescale=True,
                text=[[_format(v, "sd") if np.isfinite(v) else "" for v in row] for row in values],
                texttemplate="%{text}",
                customdata=means.to_numpy(),
                colorbar={"title": "sd from<br>population<br>(model units)"},
                hovertemplate="%{y}<br>%{x}: %{z:+.2f} sd in model units; segment mean "
                              "%{customdata:,.2f} (business units)<extra></extra>"))
            figure.update_layout(height=max(300, 90 + 55 * len(matrix)),
                                 yaxis_autorange="reversed")
            section.blocks.append(_chart(
                figure, "chart-segment-heatmap",
                "How far each segment sits from the population, in the model's units "
                "(what ranks the drivers and names the segments)", section))
            if unmodelled:
                section.blocks.append(
                    f"<p>Not in the heat map: {html.escape(', '.join(unmodelled))}, customers "
                    "the clustering did not place (no completed purchase), so they have no "
                    "position in the model's units.</p>")
            top = drivers[drivers.driver_rank <= 3].sort_values(["segment_id", "driver_rank"])
            section.blocks.append(_table(top, {
                "segment_name": "Segment", "driver_rank": "Rank", "feature_name": "Driver",
                "model_space_difference": "Difference (sd, model units)",
                "segment_mean": "Segment mean", "population_mean": "Population mean",
                "standardized_difference": "Difference of means (sd, business units)"},
                kinds={"driver_rank": "count", "model_space_difference": "sd",
                       "standardized_difference": "sd"}, caption="Top drivers"))
    if marts.has("segment_rules"):
        rules = marts.frame(
            "select segment_name, rule, rule_precision, rule_coverage from segment_rules "
            "order by segment_id")
        section.blocks.append(_table(rules, {
            "segment_name": "Segment", "rule": "Rule", "rule_precision": "Precision",
            "rule_coverage": "Coverage"},
            kinds={"rule_precision": "share", "rule_coverage": "share"},
            caption="Rules (surrogate decision tree)"))
    if marts.has("segment_recommendations"):
        actions = marts.frame(
            "select segment_name, archetype, action, channel, offer_type, action_priority, "
            "revenue_per_customer from segment_recommendations order by segment_id")
        columns = {"segment_name": "Segment", "archetype": "Archetype", "action": "Action",
                   "channel": "Channel", "offer_type": "Offer", "action_priority": "Priority"}
        if has_orders:
            columns["revenue_per_customer"] = "Revenue per customer"
        section.blocks.append(_table(actions, columns, kinds={"revenue_per_customer": "money"},
                                     caption="Recommended actions"))
    return section


def _rfm(marts: _Marts) -> Section | None:
    if not marts.has("customer_rfm"):
        return None
    if not _has_orders(marts):
        section = Section("rfm", "RFM")
        section.blocks.append(
            "<p>No orders in the input: recency, frequency and monetary value are scores of "
            "purchases, so there is nothing to score. Add an orders file to see this section.</p>")
        return section
    section = Section("rfm", "RFM",
                      "Recency scores (quintiles of buyers, 5 = best) against frequency "
                      "scores (1 = bought once, 2-5 = quartiles of repeat buyers), and the "
                      "standard RFM segments against the clusters.")
    grid = marts.frame(
        "select recency_score, frequency_score, count(*) as customers, "
        "avg(monetary) as mean_monetary from customer_rfm where has_purchases "
        "group by recency_score, frequency_score")
    if not grid.empty:
        customers = (grid.pivot(index="frequency_score", columns="recency_score",
                                values="customers")
                     .reindex(index=range(1, 6), columns=range(1, 6)).fillna(0))
        monetary = (grid.pivot(index="frequency_score", columns="recency_score",
                               values="mean_monetary")
                    .reindex(index=range(1, 6), columns=range(1, 6)))
        figure = go.Figure(go.Heatmap(
            z=customers.to_numpy(), x=[f"R{score}" for score in customers.columns],
            y=[f"F{score}" for score in customers.index], colorscale="Blues",
            customdata=monetary.to_numpy(), texttemplate="%{z:,}",
            hovertemplate="%{x} %{y}: %{z:,} customers, mean monetary "
                          "%{customdata:,.2f}<extra></extra>"))
        figure.update_layout(height=460, xaxis_title="recency score",
                             yaxis_title="frequency score")
        section.blocks.append(_chart(figure, "chart-rfm-grid",
                                     "Customers by recency and frequency score", section))
    if marts.has("segment_rfm_crosstab"):
        crosstab = marts.frame(
            "select segment_id, segment_name, rfm_segment, customers, share_of_segment "
            "from segment_rfm_crosstab")
        if not crosstab.empty:
            matrix = (crosstab.pivot_table(index=["segment_id", "segment_name"],
                                           columns="rfm_segment", values="share_of_segment",
                                           aggfunc="sum").fillna(0).sort_index())
            counts = (crosstab.pivot_table(index=["segment_id", "segment_name"],
                                           columns="rfm_segment", values="customers",
                                           aggfunc="sum").fillna(0).sort_index())
            order = _rfm_segment_order(marts, list(matrix.columns))
            matrix, counts = matrix[order], counts[order]
            figure = go.Figure(go.Heatmap(
                z=matrix.to_numpy(), x=list(matrix.columns),
                y=[name for _, name in matrix.index], colorscale="Greens",
                customdata=counts.to_numpy(), texttemplate="%{z:.0%}",
                hovertemplate="%{y} / %{x}: %{z:.1%} of the segment "
                              "(%{customdata:,} customers)<extra></extra>"))
            figure.update_layout(height=max(320, 110 + 50 * len(matrix)),
                                 yaxis_autorange="reversed")
            section.blocks.append(_chart(figure, "chart-rfm-crosstab",
                                         "RFM segments within each cluster segment", section))
    return section if section.charts else None


def _rfm_segment_order(marts: _Marts, present: list[str]) -> list[str]:
    """RFM segments best to worst, as the editable map lists them (Champions
    ... Lost), then the two defined by rules (New Customers, No Purchase Yet),
    then any other name; only those present."""
    ladder: list[str] = []
    if marts.has("rfm_segment_map"):
        # rowid is the seed file's row order.
        listed = marts.frame(
            "select rfm_segment, bool_and(recency_score_min is null) as by_rule "
            "from rfm_segment_map group by rfm_segment order by min(rowid)")
        ladder = (listed[~listed.by_rule].rfm_segment.tolist()
                  + listed[listed.by_rule].rfm_segment.tolist())
    known = [name for name in ladder if name in present]
    return known + sorted(name for name in present if name not in known)


def _value(marts: _Marts) -> Section | None:
    if not marts.has("customer_value_model"):
        return None
    models = marts.frame(
        "select purpose, status, reason, window_end_date, bgnbd_customers, repeat_buyers "
        "from customer_value_model").set_index("purpose")
    if "score" not in models.index:
        return None
    section = Section("value", "Customer value")
    if not _has_orders(marts):
        section.blocks.append(
            "<p>No orders in the input: the value models predict purchases from past "
            "purchases, so there is nothing to predict from. Add an orders file to see this "
            "section.</p>")
        return section
    score = models.loc["score"]
    if score.status != "fitted":
        # One sentence instead of charts: the reason is what the reader can act on.
        section.blocks.append(
            "<p>No predicted value in this build: the value model could not be fitted "
            f"({html.escape(str(score.reason))}).</p>")
        return section
    section.intro = (
        "Purchases and their value expected over the next 12 months, from the "
        "buy-till-you-die models the build fitted: BG/NBD for repeat purchases and dropout, "
        "Gamma-Gamma for the value of a purchase (fitted on "
        f"{_format(score.bgnbd_customers, 'count')} customers, "
        f"{_format(score.repeat_buyers, 'count')} of them repeat buyers). Value at risk is the "
        "12-month value lost if a customer has already dropped out.")
    _value_by_segment(marts, section)
    _value_alive(marts, section)
    _value_backtest(marts, section, models)
    return section


def _value_by_segment(marts: _Marts, section: Section) -> None:
    # A build of an older version has no value columns in segment_profiles.
    if "predicted_value_12m" not in marts.frame("select * from segment_profiles limit 0"):
        return
    segments = marts.frame(
        "select segment_id, segment_name, customers, predicted_value_12m, "
        "predicted_value_12m_per_customer, value_at_risk from segment_profiles "
        "order by segment_id")
    valued = segments.dropna(subset=["predicted_value_12m"])
    if valued.empty:
        return
    predicted, at_risk = valued.predicted_value_12m.sum(), valued.value_at_risk.sum()
    # Summed over customers, predicted value + value at risk is what they would
    # bring if every one were still active.
    text = (f"Over the next 12 months: {_format(predicted, 'money')} predicted, "
            f"{_format(at_risk, 'money')} at risk "
            f"({_format(at_risk / (predicted + at_risk), 'share')} of what these customers "
            "would bring if every one were still active).")
    section.blocks.append(f"<p>{html.escape(text)}</p>")
    section.blocks.append(_table(segments, {
        "segment_name": "Segment", "customers": "Customers",
        "predicted_value_12m": "Predicted value, 12 months",
        "predicted_value_12m_per_customer": "Per customer", "value_at_risk": "Value at risk"},
        kinds={"customers": "count", "predicted_value_12m": "money",
               "predicted_value_12m_per_customer": "money", "value_at_risk": "money"},
        caption="Predicted value by segment"))
    unvalued = segments.segment_name[segments.predicted_value_12m.isna()].tolist()
    if unvalued:
        section.blocks.append(
            f"<p>Left blank: {html.escape(', '.join(unvalued))}, customers without a purchase, "
            "whom the models do not value.</p>")


def _value_alive(marts: _Marts, section: Section) -> None:
    if not marts.has("customer_value"):
        return
    # Cells aggregated in DuckDB: at most 72 rows come back, however many customers.
    repeats = _bin_sql("repeat_purchases", REPEAT_PURCHASE_BINS)
    weeks = _bin_sql("age_weeks - recency_weeks", WEEKS_SINCE_BINS)
    cells = marts.frame(
        f"select {repeats} as repeat_bin, {weeks} as weeks_bin, count(*) as customers, "
        "avg(probability_alive) as probability_alive from customer_value "
        "where probability_alive is not null group by all")
    if cells.empty:
        return
    # Up to the last bin anyone is in: a short history has no 104+ column.
    rows = range(int(cells.repeat_bin.max()) + 1)
    columns = range(int(cells.weeks_bin.max()) + 1)
    alive = (cells.pivot(index="repeat_bin", columns="weeks_bin", values="probability_alive")
             .reindex(index=rows, columns=columns))
    counts = (cells.pivot(index="repeat_bin", columns="weeks_bin", values="customers")
              .reindex(index=rows, columns=columns).fillna(0))
    values = alive.to_numpy(dtype=float)
    figure = go.Figure(go.Heatmap(
        z=values, x=[WEEKS_SINCE_BINS[i][1] for i in columns],
        y=[REPEAT_PURCHASE_BINS[i][1] for i in rows], zmin=0, zmax=1, colorscale="Blues",
        text=[[f"{v:.2f}" if np.isfinite(v) else "" for v in row] for row in values],
        texttemplate="%{text}", customdata=counts.to_numpy(), hoverongaps=False,
        colorbar={"title": "mean<br>P(alive)"},
        hovertemplate="%{y} repeat purchases, %{x} weeks since the last one: mean P(alive) "
                      "%{z:.2f} over %{customdata:,} customers<extra></extra>"))
    # Category axes: plotly would read "0-4" as a date and "5-6" off a number axis.
    figure.update_layout(height=460, xaxis={"type": "category",
                                            "title": "weeks since the last purchase"},
                         yaxis={"type": "category", "title": "repeat purchases"})
    section.blocks.append(_chart(figure, "chart-value-alive",
                                 "Probability alive by repeat purchases and weeks since the "
                                 "last purchase", section))
    section.blocks.append(
        "<p>BG/NBD lets a customer drop out only after a repeat purchase, so a customer "
        "with none counts as alive (the bottom row is 1). Above it, the longer the silence "
        "against a customer's usual rhythm, the likelier they have gone: a frequent buyer "
        "silent for months is more likely lost than an occasional one.</p>")


def _value_backtest(marts: _Marts, section: Section, models: pd.DataFrame) -> None:
    if "backtest" not in models.index or not marts.has(
            "customer_value_backtest_weekly", "customer_value_backtest_calibration"):
        return
    backtest = models.loc["backtest"]
    cutoff = (str(backtest.window_end_date)[:10] if pd.notna(backtest.window_end_date)
              else None)
    if backtest.status != "fitted":
        before = f"the purchases up to {cutoff}" if cutoff else "the purchases before the holdout"
        section.blocks.append(
            f"<p>No backtest in this build: the value model could not be refitted on "
            f"{before} ({html.escape(str(backtest.reason))}).</p>")
        return
    weekly = marts.frame(
        "select holdout_week, week_end_date, expected_cumulative_purchases, "
        "actual_cumulative_purchases, relative_error from customer_value_backtest_weekly "
        "order by holdout_week")
    groups = marts.frame(
        "select calibration_repeat_purchases_label as label, customers, "
        "mean_predicted_holdout_purchases, mean_actual_holdout_purchases "
        "from customer_value_backtest_calibration order by calibration_repeat_purchases")
    if weekly.empty:
        return
    section.blocks.append(
        "<p>The backtest: the models refitted on the purchases up to "
        f"{cutoff or 'the cut-off'} predict the {len(weekly)} weeks after it for the "
        f"{_format(groups.customers.sum(), 'count')} customers of the fit sample who had "
        "bought by then, beside what they did (purchases are purchase days). The first "
        "chart checks the total, the second group by group: a model can track the total "
        "and still get the heavy buyers wrong.</p>")
    dates = weekly.week_end_date.astype(str).str[:10]
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=weekly.holdout_week, y=weekly.actual_cumulative_purchases, mode="lines+markers",
        name="actual", line_color=PALETTE[0], customdata=dates,
        hovertemplate="week %{x} (to %{customdata}): %{y:,} made<extra></extra>"))
    figure.add_trace(go.Scatter(
        x=weekly.holdout_week, y=weekly.expected_cumulative_purchases, mode="lines",
        name="expected by the model", line={"color": PALETTE[1], "dash": "dash"},
        customdata=dates,
        hovertemplate="week %{x} (to %{customdata}): %{y:,.0f} expected<extra></extra>"))
    figure.update_layout(height=420, xaxis_title="weeks after the cut-off",
                         yaxis_title="purchases since the cut-off")
    last = weekly.iloc[-1]
    heading = "Backtest week by week: cumulative purchases after the cut-off"
    if pd.notna(last.relative_error):
        heading += (f" (by week {int(last.holdout_week)} the model expected "
                    f"{_relative_error_words(last.relative_error)})")
    section.blocks.append(_chart(figure, "chart-value-backtest", heading, section))
    if groups.empty:
        return
    figure = go.Figure()
    for column, name, colour in (("mean_actual_holdout_purchases", "actual", PALETTE[0]),
                                 ("mean_predicted_holdout_purchases", "predicted", PALETTE[1])):
        figure.add_trace(go.Bar(
            x=groups.label, y=groups[column], name=name, marker_color=colour,
            customdata=groups.customers,
            hovertemplate=f"%{{x}} repeat purchases before the cut-off (%{{customdata:,}} "
                          f"customers): %{{y:.2f}} {name} per customer<extra></extra>"))
    figure.update_layout(barmode="group", height=420,
                         xaxis={"type": "category",
                                "title": "repeat purchases before the cut-off"},
                         yaxis_title="holdout purchases per customer (mean)")
    section.blocks.append(_chart(
        figure, "chart-value-calibration",
        "Backtest by repeat purchases before the cut-off: mean holdout purchases, actual "
        "and predicted", section))


def _agreement(marts: _Marts) -> Section | None:
    if not marts.has("cluster_method_agreement"):
        return None
    pairs = marts.frame("select method_a, method_b, adjusted_rand_index "
                        "from cluster_method_agreement")
    if pairs.empty:
        return None
    methods = sorted(set(pairs.method_a) | set(pairs.method_b))
    matrix = pd.DataFrame(np.eye(len(methods)), index=methods, columns=methods)
    for row in pairs.itertuples():
        matrix.loc[row.method_a, row.method_b] = row.adjusted_rand_index
        matrix.loc[row.method_b, row.method_a] = row.adjusted_rand_index
    section = Section("agreement", "Agreement between methods",
                      "Adjusted Rand index between the partitions of every pair of methods "
                      "(1 = the same segments, about 0 = no more alike than chance).")
    figure = go.Figure(go.Heatmap(
        z=matrix.to_numpy(), x=methods, y=methods, zmin=0, zmax=1, colorscale="Purples",
        texttemplate="%{z:.2f}", hovertemplate="%{y} vs %{x}: %{z:.3f}<extra></extra>"))
    figure.update_layout(height=380)
    section.blocks.append(_chart(figure, "chart-method-agreement", "Adjusted Rand index",
                                 section))
    return section


def _migration(marts: _Marts, colours: dict[int, str]) -> Section:
    section = Section("migration", "Migration between runs")
    if not marts.has("segment_migration"):
        section.blocks.append(
            "<p>No segment history in this database yet: migration appears once "
            "<code>segment_migration</code> exists (builds at successive as_of_date).</p>")
        return section
    flows = marts.frame(
        "select from_run_id, to_run_id, from_segment_id, to_segment_id, customers "
        "from segment_migration "
        "where to_run_id = (select max(to_run_id) from segment_migration) "
        "and from_run_id = (select max(from_run_id) from segment_migration "
        "                   where to_run_id = (select max(to_run_id) from segment_migration)) "
        "order by from_segment_id nulls first, to_segment_id nulls first")
    if flows.empty:
        section.blocks.append("<p>Only one run so far: nothing has migrated yet.</p>")
        return section
    names = _run_segment_names(marts, [int(flows.from_run_id.iloc[0]),
                                       int(flows.to_run_id.iloc[0])])
    sources = [_segment_label(value, names, missing="(not yet a customer)")
               for value in flows.from_segment_id]
    targets = [_segment_label(value, names, missing="(no longer in the data)")
               for value in flows.to_segment_id]
    # A segment is one colour on both sides (its id's), so a kept segment's
    # flow reads as one band; each side lists its own nodes.
    nodes = ([("before", label, value) for label, value in
              dict.fromkeys(zip(sources, flows.from_segment_id, strict=True))]
             + [("now", label, value) for label, value in
                dict.fromkeys(zip(targets, flows.to_segment_id, strict=True))])
    index = {(side, label): number for number, (side, label, _) in enumerate(nodes)}

    def colour(value: object) -> str:
        if pd.isna(value):
            return "#BBBBBB"
        fallback = PALETTE[(int(value) - 1) % len(PALETTE)] if int(value) > 0 else NOISE_COLOUR
        return colours.get(int(value), fallback)

    figure = go.Figure(go.Sankey(
        node={"label": [f"{label} ({side})" for side, label, _ in nodes], "pad": 12,
              "color": [colour(value) for _, _, value in nodes]},
        link={"source": [index[("before", label)] for label in sources],
              "target": [index[("now", label)] for label in targets],
              "value": flows.customers.tolist(),
              "color": [_transparent(colour(value)) for value in flows.from_segment_id]}))
    figure.update_layout(height=520)
    section.intro = (f"Customers moving between segments from run {flows.from_run_id.iloc[0]} "
                     f"to run {flows.to_run_id.iloc[0]}.")
    section.blocks.append(_chart(figure, "chart-migration", "Segment migration", section))
    return section


# --------------------------------------------------------------------------- helpers


def _build_facts(marts: _Marts) -> dict:
    row = marts.frame(
        # DBSCAN's noise (segment 0) is not a segment.
        "select count(*) as customers, count(distinct nullif(segment_id, 0)) as segments, "
        "any_value(segment_method) as method, max(as_of_date) as as_of_date "
        "from dim_customer_segments").iloc[0]
    facts = {"customers": int(row.customers), "segments": int(row.segments),
             "method": str(row["method"]), "as_of_date": str(row.as_of_date)[:10]}
    if marts.has("input_reconciliation"):
        facts["quarantined"] = int(marts.frame(
            "select coalesce(sum(rows_quarantined), 0) as n from input_reconciliation").n.iloc[0])
    return facts


def _has_orders(marts: _Marts) -> bool:
    """Whether the input had orders with an accepted line (customers-only data has none)."""
    if not marts.has("input_reconciliation"):
        return True
    return bool(marts.frame(
        "select coalesce(sum(rows_accepted), 0) > 0 as has from input_reconciliation "
        "where source = 'orders'").has.iloc[0])


def _segment_colours(marts: _Marts) -> dict[int, str]:
    """One colour per segment id, distinct up to 12 segments: by the id's rank among
    today's segments and those the migration chart shows (ids are not consecutive:
    -1 is No Purchase Yet, refits skip retired ids), DBSCAN noise grey."""
    sql = "select segment_id from segment_profiles"
    if marts.has("segment_migration"):
        sql += (" union select from_segment_id from segment_migration"
                " union select to_segment_id from segment_migration")
    ids = sorted({int(value) for value in marts.frame(sql).segment_id.dropna()} - {0})
    colours = {value: PALETTE[rank % len(PALETTE)] for rank, value in enumerate(ids)}
    return {**colours, 0: NOISE_COLOUR}


def _scatter_by_segment(points: pd.DataFrame, x: str, y: str,
                        colours: dict[int, str]) -> go.Figure:
    figure = go.Figure()
    for (segment_id, name), part in points.groupby(["segment_id", "segment_name"], sort=True):
        figure.add_trace(go.Scatter(
            x=part[x], y=part[y], mode="markers", name=f"{segment_id}: {name}",
            marker={"size": 5, "opacity": 0.65, "color": colours.get(int(segment_id))},
            hovertemplate=f"{html.escape(str(name))}<br>{x}=%{{x:.3g}}, {y}=%{{y:.3g}}"
                          "<extra></extra>"))
    return figure


def _run_segment_names(marts: _Marts, run_ids: list[int]) -> dict[int, str]:
    """{segment id: name} over the given runs (segment_lineage), the later run's name winning."""
    if not marts.has("segment_lineage"):
        return {}
    frame = marts.frame(
        "select segment_id, segment_name from segment_lineage where run_id in ("
        + ", ".join("?" for _ in run_ids) + ") order by run_id", run_ids)
    return {int(row.segment_id): str(row.segment_name) for row in frame.itertuples()}


def _segment_label(value: object, names: dict[int, str] | None = None, *,
                   missing: str = "(none)") -> str:
    if pd.isna(value):
        return missing
    name = (names or {}).get(int(value))
    return f"{name} [{int(value)}]" if name else f"segment {int(value)}"


def _bin_sql(expression: str, bins: Sequence[tuple[float, str]]) -> str:
    """SQL for the index of the bin of `expression` among `bins` ((lower bound,
    label), ascending); anything below the second bound is in the first."""
    cases = " ".join(f"when {expression} >= {lower} then {index}"
                     for index, (lower, _) in reversed(list(enumerate(bins))) if index)
    return f"case {cases} else 0 end"


def _relative_error_words(error: float) -> str:
    """expected / actual - 1 in words: -0.198 is "19.8% fewer than were made"."""
    if abs(error) < 0.0005:
        return "as many as were made"
    return f"{_format(abs(error), 'share')} {'fewer' if error < 0 else 'more'} than were made"


def _transparent(colour: str, alpha: float = 0.35) -> str:
    """A #RRGGBB colour as rgba with `alpha`, for Sankey links under their nodes."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _label(feature_name: str) -> str:
    return feature_name.replace("category_share__", "share: ").replace("_", " ")


def _chart(figure: go.Figure, chart_id: str, heading: str, section: Section) -> str:
    figure.update_layout(template="plotly_white", margin={"l": 60, "r": 30, "t": 50, "b": 50},
                         font={"family": "system-ui, sans-serif"})
    section.charts.append(chart_id)
    plot = figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id,
                          config=PLOT_CONFIG)
    return (f'<figure class="chart" data-chart="{chart_id}">'
            f"<figcaption>{html.escape(heading)}</figcaption>{plot}</figure>")


def _table(frame: pd.DataFrame, columns: dict[str, str], *, kinds: dict[str, str] | None = None,
           caption: str | None = None) -> str:
    """An HTML table of `columns` ({column: heading}); `kinds` names how a
    numeric column reads (see _format), so one kind of number looks the same
    everywhere in the report."""
    kinds = kinds or {}
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    rows = []
    for record in frame[list(columns)].itertuples(index=False):
        cells = []
        for name, value in zip(columns, record, strict=True):
            cells.append(f"<td>{html.escape(_format(value, kinds.get(name, 'number')))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table>{title}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _format(value: object, kind: str = "number") -> str:
    """One format per kind of number:
    count  1,583 (separators, no decimals)
    money  1,234.50 (two decimals, separators)
    share  7.7% (a fraction shown as a percentage)
    sd     +0.42 (a difference in standard deviations, signed, two decimals)
    number 12.35 from 1 up, three significant digits below (0.0766), 0 for
           what rounds to nothing (-3e-09 is 0), never scientific notation.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, (int, np.integer, float, np.floating)):
        return str(value)
    number = float(value) + 0.0  # no "-0"
    if kind == "count":
        return f"{round(number):,}"
    if kind == "money":
        return f"{number:,.2f}"
    if kind == "share":
        return f"{number:.1%}"
    if kind == "sd":
        return f"{number:+.2f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if abs(number) < 0.0005:
        return "0"
    if abs(number) < 1:
        return f"{number:.3g}"
    return f"{number:,.2f}"


def _page(title: str, facts: dict, sections: list[Section]) -> str:
    charts = [chart for section in sections for chart in section.charts]
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in sections)
    body = []
    for section in sections:
        intro = f"<p class='intro'>{html.escape(section.intro)}</p>" if section.intro else ""
        body.append(f'<section id="{section.anchor}"><h2>{html.escape(section.title)}</h2>'
                    f"{intro}{''.join(section.blocks)}</section>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="segmentation-charts" content="{' '.join(charts)}">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>{html.escape(title)}</h1>
<p class="meta">{facts['customers']:,} customers, {facts['segments']} segments
({html.escape(facts['method'])}), as of {html.escape(facts['as_of_date'])}.
Drawn from the dbt marts.</p>
<nav>{nav}</nav></header>
<main>{''.join(body)}</main>
<script>
// The sticky header wraps on narrow windows: keep section titles below it when
// the navigation jumps to them.
function setHeaderHeight() {{
  document.documentElement.style.setProperty(
    "--header-height", document.querySelector("header").offsetHeight + "px");
}}
setHeaderHeight();
window.addEventListener("resize", setHeaderHeight);
</script>
</body>
</html>
"""


_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #4C78A8; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: #f7f9fb; }
header { background: white; border-bottom: 1px solid var(--line); padding: 1.2rem 2rem 0.6rem;
         position: sticky; top: 0; z-index: 10; }
h1 { margin: 0 0 0.3rem; font-size: 1.6rem; }
.meta { margin: 0 0 0.6rem; color: var(--muted); }
nav a { margin-right: 1.1rem; color: var(--accent); text-decoration: none; font-weight: 600; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 2rem 3rem; }
section { background: white; border: 1px solid var(--line); border-radius: 8px;
          padding: 1rem 1.5rem; margin: 1.2rem 0;
          scroll-margin-top: calc(var(--header-height, 7rem) + 0.8rem); }
h2 { margin-top: 0.2rem; }
.intro { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 1rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem 1.2rem;
        min-width: 9rem; }
.card-value { font-size: 1.5rem; font-weight: 700; }
.card-label { color: var(--muted); font-size: 0.9rem; }
figure.chart { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f0f4f8; }
"""
