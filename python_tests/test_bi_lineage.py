"""Publication waits for the whole build: every model is an ancestor of bi_publications.

Read from the manifest `dbt parse` writes, with and without the optional
cross-sell models, so a model added without a ref from
models/bi/bi_model_row_counts.sql fails here before any build.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from dbt_runner import HANG_GUARD_SECONDS, PROJECT_DIR, dbt_executable

PUBLICATION = "model.customer_segmentation.bi_publications"


def parsed_manifest(tmp_path, dbt_vars: dict) -> dict:
    target = tmp_path / "target"
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR),
           "SEGMENTATION_DUCKDB_PATH": str(tmp_path / "parse.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [dbt_executable(), "parse", "--target-path", str(target),
         "--log-path", str(tmp_path / "logs"), "--vars", json.dumps(dbt_vars)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
        stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads((target / "manifest.json").read_text())


def ancestors(manifest: dict, unique_id: str) -> set[str]:
    parents = manifest["parent_map"]
    seen: set[str] = set()
    todo = [unique_id]
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


@pytest.mark.parametrize("dbt_vars", [{}, {"cross_sell": True}], ids=["default", "cross_sell"])
def test_every_model_and_every_test_comes_before_publication(tmp_path, dbt_vars):
    manifest = parsed_manifest(tmp_path, dbt_vars)
    nodes = manifest["nodes"]
    upstream = ancestors(manifest, PUBLICATION)
    models = {uid for uid, node in nodes.items() if node["resource_type"] == "model"}
    if dbt_vars.get("cross_sell"):
        assert "model.customer_segmentation.customer_next_category" in models
    escaping = sorted(nodes[uid]["original_file_path"] for uid in models - upstream - {PUBLICATION})
    assert not escaping, (
        f"{escaping} can fail while the exports are still published: "
        "list them in models/bi/bi_model_row_counts.sql")

    # dbt build makes a node wait for a test when everything the test reads
    # is upstream of the node (compilation.add_test_edges): then a failing
    # test anywhere skips the publication. Only tests of the publication
    # itself run after it.
    after = sorted(
        uid for uid, node in nodes.items()
        if node["resource_type"] == "test"
        and not set(node["depends_on"]["nodes"]) <= upstream
        and PUBLICATION not in node["depends_on"]["nodes"])
    assert not after, f"tests publication does not wait for: {after}"


def test_the_row_counts_read_every_model_through_refs_in_sql(tmp_path):
    """bi_model_row_counts reads every model in SQL (count(*), or a bound
    but unread view), not through `-- depends_on` comments."""
    sql = (PROJECT_DIR / "models" / "bi" / "bi_model_row_counts.sql").read_text()
    assert "depends_on" not in sql
    manifest = parsed_manifest(tmp_path, {})
    counted = manifest["nodes"]["model.customer_segmentation.bi_model_row_counts"]
    listed = {uid.rsplit(".", 1)[1] for uid in counted["depends_on"]["nodes"]}
    models = {node["name"] for node in manifest["nodes"].values()
              if node["resource_type"] == "model"
              and not node["original_file_path"].startswith("models/bi/")}
    assert listed == models


def test_the_bi_guide_lists_every_published_column(tmp_path):
    """docs/bi-guide.md's table of what each export carries is the marts'
    columns, mart by mart, with the cross-sell marts built."""
    manifest = parsed_manifest(tmp_path, {"cross_sell": True})
    nodes = manifest["nodes"]
    listing = nodes["model.customer_segmentation.bi_public_marts"]["depends_on"]["nodes"]
    expected = {nodes[uid]["name"]: list(nodes[uid]["columns"]) for uid in listing
                if nodes[uid]["original_file_path"].startswith("models/marts/")}
    guide = (PROJECT_DIR / "docs" / "bi-guide.md").read_text()
    documented = {
        match.group(1): [c.strip() for c in match.group(2).split(",")]
        for match in re.finditer(r"^\| `(\w+)` \| ([a-z0-9_, ]+) \|$", guide, re.MULTILINE)}
    assert documented == expected
