"""Builds of the demo seeds (seeds/demo): no input files, only vars."""

from __future__ import annotations

from pathlib import Path


def case_demo(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds, no vars at all."""
    return {}, {}


def case_demo_mixed(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on behaviour and two categorical attributes."""
    return {"features": ["recency_days", "frequency", "monetary", "gender", "country"]}, {}


def case_demo_category_mix(input_dir: Path) -> tuple[dict, dict]:
    """The demo seeds clustered on RFM and the category mix (var features names it)."""
    return {"features": ["recency_days", "frequency", "monetary", "category_mix"]}, {}
