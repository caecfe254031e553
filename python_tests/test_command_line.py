"""The command lines' help: what a user reads before running anything."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest

from segmentation.cli import build_parser
from segmentation.demo import files

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _demo_parser(monkeypatch) -> argparse.ArgumentParser:
    captured = {}

    def keep(self, args=None, namespace=None):
        captured["parser"] = self
        raise SystemExit(0)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", keep)
    with pytest.raises(SystemExit):
        files.main([])
    return captured["parser"]


def test_every_option_says_what_it_does(monkeypatch):
    parsers = list(_parsers(build_parser()))
    parsers.append(_demo_parser(monkeypatch))
    undescribed = [f"{parser.prog} {action.option_strings[0]}"
                   for parser in parsers for action in parser._actions
                   if action.option_strings and not (action.help or "").strip()]
    assert undescribed == []


def test_database_option_names_the_variable_dbt_reads():
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if "--db" in action.option_strings:
                assert "SEGMENTATION_DUCKDB_PATH" in action.help, parser.prog


def test_demo_data_usage_names_the_installed_command(monkeypatch):
    scripts = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"]
    command = next(name for name, target in scripts.items()
                   if target == "segmentation.demo.files:main")
    assert _demo_parser(monkeypatch).prog == command
