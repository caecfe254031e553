"""dev/check_dbt_project.py: the structure rules, on small manifests and on the project."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from dbt_runner import PROJECT_DIR
from test_bi_lineage import parsed_manifest

_spec = importlib.util.spec_from_file_location(
    "check_dbt_project", PROJECT_DIR / "dev" / "check_dbt_project.py")
check_dbt_project = importlib.util.module_from_spec(_spec)
sys.modules["check_dbt_project"] = check_dbt_project
_spec.loader.exec_module(check_dbt_project)
check_manifest = check_dbt_project.check_manifest


def model(name: str, *, folder: str = "intermediate", columns: dict | None = None,
          meta: dict | None = None, contract: bool = False, access: str = "protected",
          reads: tuple[str, ...] = (), tags: tuple[str, ...] = (),
          sql: str = "select 1") -> tuple[str, dict]:
    uid = f"model.shop.{name}"
    return uid, {
        "resource_type": "model", "package_name": "shop", "name": name, "access": access,
        "original_file_path": f"models/{folder}/{name}.sql", "description": "what it is",
        "columns": columns or {}, "meta": meta or {},
        "config": {"contract": {"enforced": contract}}, "constraints": [],
        "depends_on": {"nodes": [f"model.shop.{parent}" for parent in reads]},
        "tags": list(tags), "raw_code": sql,
    }


def keyed(*models: tuple[str, dict]) -> dict:
    """A manifest of these models, each with a primary-key test."""
    return manifest(*models, *(generic_test("primary_key", node["name"], "id")
                               for _, node in models))


def generic_test(name: str, on: str, column: str | None = None, **kwargs) -> tuple[str, dict]:
    uid = f"test.shop.{name}_{on}_{column}_{len(kwargs)}"
    return uid, {
        "resource_type": "test", "package_name": "shop", "attached_node": f"model.shop.{on}",
        "column_name": column, "test_metadata": {"name": name, "kwargs": kwargs},
    }


def manifest(*nodes: tuple[str, dict]) -> dict:
    return {"metadata": {"project_name": "shop"}, "nodes": dict(nodes)}


def rules(findings) -> list[tuple[str, str]]:
    return [(finding.rule, finding.model) for finding in findings]


def test_a_model_without_a_grain_test_is_found():
    assert rules(check_manifest(manifest(model("orders")))) == [
        ("missing_primary_key", "orders")]


@pytest.mark.parametrize("tests", [
    [generic_test("primary_key", "orders", "order_id")],
    [generic_test("unique", "orders", "order_id"), generic_test("not_null", "orders", "order_id")],
    [generic_test("primary_key", "orders", columns=["order_id", "line"])],
    [generic_test("primary_key", "orders", columns=["run_id", "segment_id"],
                  nullable_columns=["segment_id"])],
    [generic_test("unique_combination_of_columns", "orders",
                  combination_of_columns=["order_id", "line"]),
     generic_test("not_null", "orders", "order_id"), generic_test("not_null", "orders", "line")],
])
def test_every_form_of_grain_test_counts(tests):
    assert check_manifest(manifest(model("orders"), *tests)) == []


@pytest.mark.parametrize("tests", [
    [generic_test("unique", "orders", "order_id")],
    [generic_test("not_null", "orders", "order_id")],
    # Uniqueness of a combination says nothing of nulls.
    [generic_test("unique_combination_of_columns", "orders",
                  combination_of_columns=["order_id", "line"])],
    # A test on another model keys nothing here.
    [generic_test("primary_key", "customers", "customer_id")],
])
def test_half_a_key_is_no_key(tests):
    assert rules(check_manifest(manifest(model("orders"), *tests))) == [
        ("missing_primary_key", "orders")]


def test_an_untested_key_needs_its_reason():
    declared = {"primary_key": ["file", "row"]}
    assert rules(check_manifest(manifest(model("lines", meta=declared)))) == [
        ("missing_primary_key", "lines")]
    explained = {**declared, "primary_key_untested": "a view over every line"}
    assert rules(check_manifest(manifest(model("lines", meta=explained)))) == [
        ("accepted_untested_primary_key", "lines")]


def test_public_models_need_a_description_on_every_column_and_a_contract():
    columns = {"segment_id": {"description": "the segment"}, "size": {"description": ""}}
    mart = model("segments", folder="marts", columns=columns, access="public")
    key = generic_test("primary_key", "segments", "segment_id")
    assert rules(check_manifest(manifest(mart, key))) == [
        ("public_model_without_contract", "segments"),
        ("undocumented_public_column", "segments")]


def test_marts_are_public_and_exposures_read_only_public_models():
    private_mart = model("segments", folder="marts", contract=True)
    helper = model("ml_scores")
    found = manifest(private_mart, helper,
                     generic_test("primary_key", "segments", "segment_id"),
                     generic_test("primary_key", "ml_scores", "customer_id"))
    found["exposures"] = {"exposure.shop.board": {
        "name": "board", "depends_on": {"nodes": ["model.shop.ml_scores"]}}}
    assert rules(check_manifest(found)) == [
        ("exposure_on_non_public_model", "ml_scores"), ("mart_not_public", "segments")]


def test_the_project_has_no_finding(tmp_path):
    findings = check_manifest(parsed_manifest(tmp_path, {"cross_sell": True}))
    failing = [str(finding) for finding in findings
               if not finding.rule.startswith("accepted_")]
    assert failing == []


def test_folders_are_read_in_the_flow_order_only():
    forward = keyed(model("scores", folder="ml/score"),
                    model("names", folder="ml/describe", reads=("scores",)),
                    model("profiles", folder="marts/segments", reads=("names",),
                          access="public", contract=True))
    assert check_manifest(forward) == []
    backward = keyed(model("lineage", folder="marts/history", access="public", contract=True),
                     model("fit_done", folder="ml/fit", reads=("lineage",), tags=("fit",)))
    assert rules(check_manifest(backward)) == [("backward_dependency", "fit_done")]


def test_every_model_sits_in_a_folder_of_the_flow():
    assert rules(check_manifest(keyed(model("helper", folder="ml")))) == [
        ("model_outside_flow", "helper")]


def test_the_fit_is_exactly_the_fit_folder():
    found = keyed(model("scaling", folder="ml/fit"),
                  model("rules", folder="ml/describe", tags=("fit",)))
    assert rules(check_manifest(found)) == [
        ("fit_outside_fit_folder", "rules"), ("fit_outside_fit_folder", "scaling")]


def test_only_the_runs_folder_reads_history():
    read = "{% set runs = history_relation('segmentation_runs') %} select 1"
    found = keyed(model("previous_run", folder="ml/runs", sql=read),
                  model("names", folder="ml/describe", sql=read))
    assert rules(check_manifest(found)) == [("history_read_outside_runs", "names")]
