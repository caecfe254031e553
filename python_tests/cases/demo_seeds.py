"""Builds of the demo seeds (seeds/demo): no input files, only vars."""

from __future__ import annotations

from pathlib import Path

# Every clustering method (macro clustering_methods): the default build runs
# kmeans and hierarchical; the cases that test the optional ones name them all.
EVERY_METHOD = ["kmeans", "hierarchical", "gmm", "dbscan", "kprototypes"]


def case_demo(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds, no vars at all."""
    return {}, {}


def case_demo_every_method(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds with every clustering method (var methods)."""
    return {"methods": EVERY_METHOD}, {}


def case_demo_mixed(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on behaviour and two categorical attributes,
    with every method (k-prototypes is the one for categories)."""
    return {"features": ["recency_days", "frequency", "monetary", "gender", "country"],
            "methods": EVERY_METHOD}, {}


def case_demo_category_mix(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on RFM and the category mix (var features names it)."""
    return {"features": ["recency_days", "frequency", "monetary", "category_mix"]}, {}
