"""Structure rules over dbt's manifest, in the spirit of dbt-project-evaluator.

dbt-project-evaluator is a hub package, which `dbt deps` cannot reach here,
so the rules this project holds itself to are checked in plain Python over
``target/manifest.json`` (written by ``dbt parse``, ``dbt build`` ...):

* ``missing_primary_key``: every model has a test of its grain: the
  project's ``primary_key`` test (unique and not null, on a column or on
  ``columns: [...]``), ``unique`` and ``not_null`` on one column (as tests
  or enforced constraints), or ``unique_combination_of_columns`` whose every
  column is not null (test or constraint); ``primary_key``'s
  ``nullable_columns`` names key parts that are null by design. The one
  exception: a model that declares its key and why it is not tested
  (``meta: {primary_key: [...], primary_key_untested: "<why>"}``), listed as
  accepted on every run so the reason stays in sight (the order-line views,
  where a test would re-read every line of the input).
* ``undocumented_model``: every model has a description.
* ``mart_not_public``: every model in ``models/marts`` has ``access: public``
  (dbt_project.yml sets it on the folder: the one definition of "public").
* ``undocumented_public_column``: every column of a public model is described.
* ``public_model_without_contract``: every public model enforces its
  contract, so a BI tool never sees a column change type silently.
* ``exposure_on_non_public_model``: dashboards and reports (exposures) read
  public models only.
* ``model_outside_flow``: every model lives in one of the folders of
  ``FLOW`` (docs/architecture.md draws them), so its folder names its stage.
* ``backward_dependency``: a model reads models of its own folder or of
  folders earlier in ``FLOW``, never later ones: the DAG flows one way
  between folders.
* ``fit_outside_fit_folder``: the fit (tag ``fit``, what a refit replaces and
  score mode keeps) is exactly ``models/ml/fit/``.
* ``history_read_outside_runs``: only ``models/ml/runs/`` reads the history
  marts as they stood before the build (macro ``history_relation``), the
  one loop in the flow.

Usage::

    python dev/check_dbt_project.py [--manifest target/manifest.json]

Prints one line per finding and exits 1 when there is any; CI runs it after
the build.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MARTS_FOLDER = "models/marts/"

# The folders in the order data flows through them. Within a folder models may
# read each other in any direction; across folders only from earlier to later.
FLOW = (
    "models/staging/",
    "models/intermediate/",
    "models/ml/fit/",
    "models/ml/score/",
    "models/ml/runs/",
    "models/ml/describe/",
    "models/marts/",
    "models/semantic/",
    "models/bi/",
)
FIT_FOLDER = "models/ml/fit/"
RUNS_FOLDER = "models/ml/runs/"


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    model: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.model}: {self.detail}"


def check_manifest(manifest: dict) -> list[Finding]:
    """Every finding of every rule, sorted."""
    models = {uid: node for uid, node in manifest["nodes"].items()
              if node["resource_type"] == "model" and node["package_name"] == _project(manifest)}
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    findings = [
        *_missing_primary_keys(models, tests),
        *_undocumented_models(models),
        *_marts_not_public(models),
        *_undocumented_public_columns(models),
        *_public_models_without_contract(models),
        *_exposures_on_non_public_models(manifest, models),
        *_folder_flow(models),
        *_fit_outside_fit_folder(models),
        *_history_reads_outside_runs(models),
    ]
    return sorted(findings)


def _project(manifest: dict) -> str:
    return manifest["metadata"].get("project_name") or next(
        node["package_name"] for node in manifest["nodes"].values()
        if node["resource_type"] == "model")


def _column_tests(tests: Iterable[dict]) -> tuple[dict, list[tuple[str, list[str]]]]:
    """(model -> column -> generic test names, [(model, combination columns)])."""
    per_column: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    combinations: list[tuple[str, list[str]]] = []
    for test in tests:
        metadata = test.get("test_metadata") or {}
        name = metadata.get("name")
        model = test.get("attached_node")
        if not name or not model:
            continue
        kwargs = metadata.get("kwargs") or {}
        column = test.get("column_name") or kwargs.get("column_name")
        if name == "unique_combination_of_columns":
            combinations.append((model, list(kwargs.get("combination_of_columns") or [])))
        elif name == "primary_key" and kwargs.get("columns"):
            # The model-level form tests a combination for nulls too.
            combinations.append((model, list(kwargs["columns"])))
            for key_column in kwargs["columns"]:
                nullable = key_column in (kwargs.get("nullable_columns") or [])
                per_column[model][key_column].add(
                    "nullable_by_design" if nullable else "not_null")
        elif column:
            per_column[model][column.strip('"`')].add(name)
    return per_column, combinations


def _constraint_types(model: dict) -> dict[str, set[str]]:
    types: dict[str, set[str]] = defaultdict(set)
    for name, column in model.get("columns", {}).items():
        for constraint in column.get("constraints") or []:
            types[name].add(constraint.get("type"))
    for constraint in model.get("constraints") or []:
        for name in constraint.get("columns") or []:
            types[name].add(constraint.get("type"))
    return types


def _missing_primary_keys(models: dict, tests: list[dict]) -> Iterable[Finding]:
    per_column, combinations = _column_tests(tests)
    for uid, model in models.items():
        constraints = _constraint_types(model)

        def checks(column: str, uid: str = uid, constraints: dict = constraints) -> set[str]:
            return per_column[uid].get(column, set()) | constraints.get(column, set())

        columns = set(per_column[uid]) | set(constraints)
        keyed = any("primary_key" in checks(column)
                    or {"unique", "not_null"} <= checks(column) for column in columns)
        # A combination is a key when its columns are not null, except those
        # declared nullable by design (primary_key's nullable_columns).
        keyed = keyed or any(
            combo_model == uid and combo and any(
                checks(column) & {"not_null", "primary_key"} for column in combo)
            and all(checks(column) & {"not_null", "primary_key", "nullable_by_design"}
                    for column in combo)
            for combo_model, combo in combinations)
        meta = model.get("meta") or {}
        if not keyed and meta.get("primary_key") and str(
                meta.get("primary_key_untested") or "").strip():
            yield Finding("accepted_untested_primary_key", model["name"],
                          f"key {meta['primary_key']}: {meta['primary_key_untested']}")
        elif not keyed:
            yield Finding("missing_primary_key", model["name"],
                          "no test of the model's grain (primary_key, unique + not_null, or "
                          "unique_combination_of_columns over not-null columns)")


def _undocumented_models(models: dict) -> Iterable[Finding]:
    for model in models.values():
        if not (model.get("description") or "").strip():
            yield Finding("undocumented_model", model["name"], "no description")


def _is_public(model: dict) -> bool:
    return (model.get("access") or (model.get("config") or {}).get("access")) == "public"


def _marts_not_public(models: dict) -> Iterable[Finding]:
    for model in models.values():
        if model["original_file_path"].startswith(MARTS_FOLDER) and not _is_public(model):
            yield Finding("mart_not_public", model["name"],
                          "in models/marts but not access: public")


def _undocumented_public_columns(models: dict) -> Iterable[Finding]:
    for model in models.values():
        if not _is_public(model):
            continue
        for name, column in model.get("columns", {}).items():
            if not (column.get("description") or "").strip():
                yield Finding("undocumented_public_column", model["name"], f"column {name}")


def _public_models_without_contract(models: dict) -> Iterable[Finding]:
    for model in models.values():
        if _is_public(model) and not (
                (model.get("config") or {}).get("contract") or {}).get("enforced"):
            yield Finding("public_model_without_contract", model["name"], "contract not enforced")


def _exposures_on_non_public_models(manifest: dict, models: dict) -> Iterable[Finding]:
    for exposure in (manifest.get("exposures") or {}).values():
        for uid in (exposure.get("depends_on") or {}).get("nodes") or []:
            if uid in models and not _is_public(models[uid]):
                yield Finding("exposure_on_non_public_model", models[uid]["name"],
                              f"read by exposure {exposure['name']}")


def _stage(model: dict) -> int | None:
    """Position of the model's folder in FLOW, None when it is in none."""
    path = model["original_file_path"]
    return next((i for i, folder in enumerate(FLOW) if path.startswith(folder)), None)


def _folder_flow(models: dict) -> Iterable[Finding]:
    for model in models.values():
        stage = _stage(model)
        if stage is None:
            yield Finding("model_outside_flow", model["name"],
                          f"{model['original_file_path']} is in none of the flow's folders")
            continue
        for uid in (model.get("depends_on") or {}).get("nodes") or []:
            parent = models.get(uid)
            parent_stage = _stage(parent) if parent else None
            if parent_stage is not None and parent_stage > stage:
                yield Finding("backward_dependency", model["name"],
                              f"reads {parent['name']} in {FLOW[parent_stage]}, "
                              f"which comes after {FLOW[stage]}")


def _fit_outside_fit_folder(models: dict) -> Iterable[Finding]:
    for model in models.values():
        in_folder = model["original_file_path"].startswith(FIT_FOLDER)
        tagged = "fit" in (model.get("tags") or [])
        if in_folder != tagged:
            yield Finding("fit_outside_fit_folder", model["name"],
                          "tagged fit outside models/ml/fit/" if tagged
                          else "in models/ml/fit/ without the fit tag")


def _history_reads_outside_runs(models: dict) -> Iterable[Finding]:
    for model in models.values():
        if ("history_relation(" in (model.get("raw_code") or "")
                and not model["original_file_path"].startswith(RUNS_FOLDER)):
            yield Finding("history_read_outside_runs", model["name"],
                          "reads a history mart with history_relation() outside models/ml/runs/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default="target/manifest.json")
    args = parser.parse_args(argv)
    path = Path(args.manifest)
    if not path.exists():
        print(f"{path} does not exist: run `dbt parse` first", file=sys.stderr)
        return 2
    findings = check_manifest(json.loads(path.read_text()))
    accepted = [finding for finding in findings if finding.rule.startswith("accepted_")]
    failing = [finding for finding in findings if finding not in accepted]
    for finding in accepted + failing:
        print(finding)
    print(f"{len(failing)} finding(s), {len(accepted)} accepted exception(s) in {path}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
