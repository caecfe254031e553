"""Publication for BI: a failing build must leave the previous publication as it was."""

from __future__ import annotations

import json
from pathlib import Path

from cases.planted import planted_customers_csv
from dbt_runner import copy_project

PREVIOUS_PUBLICATION = {
    "manifest.json": json.dumps({"invocation_id": "previous-build", "marts": [
        {"name": "segment_profiles", "files": {"parquet": "parquet/segment_profiles.parquet"}}]}),
    "parquet/segment_profiles.parquet": "the previous build's file",
}


def case_fail_mart_test(input_dir: Path) -> tuple[dict, dict]:
    """A data test on a public mart fails, in a copy of the project given one
    failing singular test: the build must skip bi_publications and leave the
    previous publication (PREVIOUS_PUBLICATION) as it was."""
    return _failing_copy_after_a_publication(
        input_dir, "tests/singular/segment_profiles_fail_on_purpose.sql",
        "select segment_id from {{ ref('segment_profiles') }}\n")


def case_fail_model_outside_the_marts(input_dir: Path) -> tuple[dict, dict]:
    """A model no mart reads fails at run time (time_spine_daily, which a
    '-infinity' order date once crashed), in a copy of the project: the build must skip
    bi_publications and leave the previous publication (PREVIOUS_PUBLICATION)
    as it was, though every mart and its tests passed."""
    return _failing_copy_after_a_publication(
        input_dir, "models/semantic/time_spine_daily.sql",
        "select cast('not a date' as date) as date_day\n")


def _failing_copy_after_a_publication(input_dir: Path, relative_path: str,
                                      sql: str) -> tuple[dict, dict]:
    """Planted customers, a copy of the project with ``relative_path``
    overwritten by ``sql`` (a node that fails), and an export folder holding
    PREVIOUS_PUBLICATION, which the failing build must leave as it was."""
    planted_customers_csv(input_dir, renamed=False, n_per_group=25)
    project_dir = copy_project(input_dir.parent / "project")
    (project_dir / relative_path).write_text(sql)
    export_dir = input_dir.parent / "exports"
    for relative, text in PREVIOUS_PUBLICATION.items():
        (export_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (export_dir / relative).write_text(text)
    return ({"input_dir": str(input_dir), "features": ["annual_income", "spending_score"],
             "export_dir": str(export_dir)},
            {"project_dir": project_dir})
