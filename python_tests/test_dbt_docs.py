"""The dbt docs site: generated as one static page, complete, and readable in a browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from browser import artifact_dir, open_page
from dbt_runner import HANG_GUARD_SECONDS, PROJECT_DIR, dbt_executable

# Public models: what BI analysts and dashboards read.
PUBLIC_FOLDERS = ("models/marts/", "models/semantic/")


@pytest.fixture(scope="module")
def docs_site(build_demo_a, tmp_path_factory):
    """`dbt docs generate --static` against a copy of the demo build."""
    assert build_demo_a.succeeded, build_demo_a.describe()
    work = tmp_path_factory.mktemp("docs")
    db = work / "docs.duckdb"
    shutil.copy(build_demo_a.db_path, db)  # the build's file is read by other tests
    target = work / "target"
    result = subprocess.run(
        [dbt_executable(), "docs", "generate", "--static", "--target-path", str(target),
         "--log-path", str(work / "logs")],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
        env={**os.environ, "SEGMENTATION_DUCKDB_PATH": str(db), "DO_NOT_TRACK": "1"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return target


def test_every_public_model_and_column_is_described(docs_site):
    manifest = json.loads((docs_site / "manifest.json").read_text())
    catalog = json.loads((docs_site / "catalog.json").read_text())
    public = {uid: node for uid, node in manifest["nodes"].items()
              if node["resource_type"] == "model"
              and node["original_file_path"].startswith(PUBLIC_FOLDERS)}
    assert len(public) >= 20
    missing = []
    for uid, node in public.items():
        if not node["description"].strip():
            missing.append(f"{node['name']}: no description")
        # The catalog lists the columns the table really has.
        for column in catalog["nodes"][uid]["columns"]:
            documented = node["columns"].get(column) or node["columns"].get(column.lower())
            if not documented or not documented["description"].strip():
                missing.append(f"{node['name']}.{column}")
    assert missing == []


def test_exposures_declare_the_dashboards_and_the_report(docs_site):
    manifest = json.loads((docs_site / "manifest.json").read_text())
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert {"segment_overview_tableau", "customer_segments_power_bi",
            "segmentation_report"} <= set(exposures)
    for exposure in exposures.values():
        assert exposure["depends_on"]["nodes"], exposure["name"]


def test_static_docs_site_opens_in_a_browser(docs_site):
    page_file = docs_site / "static_index.html"
    assert page_file.exists()
    url = page_file.as_uri() + "#!/model/model.customer_segmentation.dim_customer_segments"
    with open_page(url) as (page, log):
        page.wait_for_function(
            "() => document.body.innerText.includes('The table BI tools join to everything')",
            timeout=60_000)
        columns = page.evaluate("() => document.body.innerText")
        for column in ("segment_id", "segment_name", "distance_to_centroid"):
            assert column in columns
        page.screenshot(path=str(artifact_dir() / "dbt-docs.png"))
    # dbt's own page logs harmless template-URL warnings; it must not crash.
    assert log.page_errors == []
