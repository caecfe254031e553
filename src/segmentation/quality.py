"""Segment quality in one page: are the segments of a build usable, and is every name true?

Reads a finished build's marts (read-only) and writes Markdown: how k was
chosen and how stable the segments are, then one row per segment with its
size, revenue share, archetype and action, and the member checks its name
passed (``ml_segment_member_claims``), then the RFM segments and the at-risk
list. ``bench/segment_quality.py`` builds a realistic shop and writes
``docs/segment-quality.md`` with it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def segment_quality_tables(db_path: Path) -> dict[str, pd.DataFrame]:
    """The figures of the page, one DataFrame each: ``k`` (the KMeans sweep),
    ``segments`` (one row per segment with its passed checks), ``rfm`` and
    ``at_risk``."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path} does not exist: run dbt build first")
    with duckdb.connect(str(db_path), read_only=True) as con:
        k = _frame(con, """
            select k, round(silhouette, 3) as silhouette,
                   round(elbow_sharpness, 2) as elbow_sharpness,
                   round(stability_ari, 3) as stability_ari,
                   round(min_segment_jaccard, 3) as min_segment_jaccard,
                   round(min_centre_distance, 2) as min_centre_distance,
                   is_chosen, selection_path, selection_rule
            from main.cluster_k_selection
            where method = 'kmeans'
            order by k""")
        segments = _frame(con, """
            with name_words as (
                -- The phrase-book words each segment's name uses, whole words only.
                select distinct
                    profiles.segment_id,
                    phrases.feature_name,
                    phrases.direction
                from main.segment_profiles as profiles
                cross join main.segment_name_phrases as phrases
                where position(' ' || phrases.adjective || ' '
                               in ' ' || profiles.segment_name || ' ') > 0
                    or position(' ' || phrases.noun || ' '
                                in ' ' || profiles.segment_name || ' ') > 0
            ),
            checks as (
                select
                    claims.segment_id,
                    string_agg(
                        claims.feature_name || ' ' || claims.direction || ': '
                            || cast(round(100 * claims.member_share) as integer) || '% ('
                            || claims.claim || ')',
                        '; ' order by claims.feature_name, claims.direction) as checks_passed,
                    bool_and(claims.holds) as all_hold
                from main.ml_segment_member_claims as claims
                inner join name_words
                    on claims.segment_id = name_words.segment_id
                    and claims.feature_name = name_words.feature_name
                    and claims.direction = name_words.direction
                group by claims.segment_id
            )
            select
                profiles.segment_id,
                profiles.segment_name,
                profiles.customers,
                profiles.customer_share,
                profiles.revenue_share,
                profiles.revenue_per_customer,
                profiles.segment_stability,
                recommendations.archetype,
                recommendations.action,
                coalesce(checks.checks_passed, '') as checks_passed,
                coalesce(checks.all_hold, true) as all_hold
            from main.segment_profiles as profiles
            inner join main.segment_recommendations as recommendations
                on profiles.segment_id = recommendations.segment_id
            left join checks on profiles.segment_id = checks.segment_id
            order by profiles.segment_id""")
        rfm = _frame(con, """
            select rfm_segment, count(*) as customers,
                   count(*) / sum(count(*)) over () as customer_share,
                   sum(monetary) / nullif(sum(sum(monetary)) over (), 0) as revenue_share
            from main.customer_rfm
            group by rfm_segment
            order by customers desc, rfm_segment""")
        at_risk = _frame(con, """
            select count(*) as customers,
                   coalesce(sum(revenue_at_stake_per_year), 0) as revenue_at_stake_per_year,
                   coalesce(sum(monetary), 0) as lifetime_revenue,
                   min(tenure_days) as min_tenure_days,
                   min(gap_ratio) as min_gap_ratio
            from main.customers_at_risk""")
    return {"k": k, "segments": segments, "rfm": rfm, "at_risk": at_risk}


def _percent(value: float) -> str:
    return "" if pd.isna(value) else f"{100 * value:.1f}%"


def _stability(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.2f}"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|")


def render_markdown(tables: dict[str, pd.DataFrame], *, title: str, preamble: str = "") -> str:
    """The page as Markdown (see ``segment_quality_tables`` for the inputs)."""
    k, segments, rfm, at_risk = (tables[name] for name in ("k", "segments", "rfm", "at_risk"))
    chosen = k[k["is_chosen"]].iloc[0]
    lines = [f"# {title}", ""]
    if preamble:
        lines += [preamble.strip(), ""]
    lines += [
        "## How k was chosen",
        "",
        f"k = **{int(chosen['k'])}** ({chosen['selection_path']}). The rule, as the build "
        "wrote it in `cluster_k_selection.selection_rule`:",
        "",
        f"> {chosen['selection_rule']}",
        "",
        "| k | silhouette | elbow sharpness | bootstrap ARI | least stable segment (Jaccard) "
        "| closest centres (sd) | chosen |",
        "|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in k.itertuples():
        stability = "" if pd.isna(row.stability_ari) else f"{row.stability_ari:.3f}"
        jaccard = "" if pd.isna(row.min_segment_jaccard) else f"{row.min_segment_jaccard:.3f}"
        sharpness = "" if pd.isna(row.elbow_sharpness) else f"{row.elbow_sharpness:.2f}"
        lines.append(f"| {row.k} | {row.silhouette:.3f} | {sharpness} | {stability} | {jaccard} | "
                     f"{row.min_centre_distance:.2f} | {'yes' if row.is_chosen else ''} |")
    lines += [
        "",
        "## Segments",
        "",
        "Each name word is used only where its claim holds for most members "
        "(`ml_segment_member_claims`); the checks column lists the claim behind "
        "every word of the name and the share of members it holds for (a kept "
        "name of an earlier run is rechecked the same way). Comparisons in "
        "brackets tell apart segments that would share a name; they hold for the "
        "members' medians. Stability is the segment's mean Jaccard overlap with "
        "its closest match when the fit is redone on bootstrap samples "
        "(`segment_profiles.segment_stability`: above 0.75 stable).",
        "",
        "| id | name | customers | share | revenue share | revenue / customer | stability "
        "| archetype | action | checks passed |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for row in segments.itertuples():
        checks = _cell(row.checks_passed) if row.all_hold else f"FAILED: {_cell(row.checks_passed)}"
        lines.append(
            f"| {row.segment_id} | {_cell(row.segment_name)} | {row.customers:,} | "
            f"{_percent(row.customer_share)} | {_percent(row.revenue_share)} | "
            f"{row.revenue_per_customer:,.2f} | {_stability(row.segment_stability)} | "
            f"{row.archetype} | {_cell(row.action)} | "
            f"{checks} |")
    lines += [
        "",
        "## RFM segments",
        "",
        "| RFM segment | customers | share | revenue share |",
        "|---|---:|---:|---:|",
    ]
    for row in rfm.itertuples():
        lines.append(f"| {_cell(row.rfm_segment)} | {row.customers:,} | "
                     f"{_percent(row.customer_share)} | {_percent(row.revenue_share)} |")
    risk = at_risk.iloc[0]
    stake, lifetime = risk["revenue_at_stake_per_year"], risk["lifetime_revenue"]
    share = _percent(stake / lifetime) if lifetime else "n/a"
    tenure = "" if pd.isna(risk["min_tenure_days"]) else int(risk["min_tenure_days"])
    overdue = "" if pd.isna(risk["min_gap_ratio"]) else round(risk["min_gap_ratio"], 2)
    lines += [
        "",
        "## Customers at risk",
        "",
        f"{int(risk['customers']):,} customers listed; revenue at stake {stake:,.2f} a year "
        f"against {lifetime:,.2f} of lifetime revenue ({share}); shortest tenure listed "
        f"{tenure} days; every listed customer at least {overdue} usual gaps overdue.",
        "",
    ]
    return "\n".join(lines)


def write_segment_quality(db_path: Path, out_path: Path, *, title: str = "Segment quality",
                          preamble: str = "") -> None:
    """Write the page for the build in ``db_path`` to ``out_path``."""
    markdown = render_markdown(segment_quality_tables(db_path), title=title, preamble=preamble)
    Path(out_path).write_text(markdown, encoding="utf-8")
