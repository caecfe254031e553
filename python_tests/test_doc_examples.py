"""dev/run_doc_examples.py covers every example of the docs (CI runs the examples
themselves after README command 1; this checks the coverage in a second)."""

from __future__ import annotations

import importlib.util
import sys

from dbt_runner import PROJECT_DIR

_spec = importlib.util.spec_from_file_location(
    "run_doc_examples", PROJECT_DIR / "dev" / "run_doc_examples.py")
run_doc_examples = importlib.util.module_from_spec(_spec)
sys.modules["run_doc_examples"] = run_doc_examples
_spec.loader.exec_module(run_doc_examples)


def test_every_example_is_run_with_a_check_or_skipped_with_a_reason():
    examples = [e for doc in run_doc_examples.DOCS for e in run_doc_examples.extract(doc)]
    pairs, problems = run_doc_examples.match_rules(examples)
    assert not problems, "\n".join(problems)
    assert len(pairs) == len(examples) > 20
    for example, rule in pairs:
        assert rule.skip is None or len(rule.skip) > 20, (example.doc, example.line)
        assert rule.skip is not None or rule.check is not None or rule.database is not None


def test_an_example_the_script_does_not_know_fails_the_run(tmp_path, monkeypatch):
    extra = run_doc_examples.Example("README.md", 999, "bash", "dbt build --vars '{x: 1}'\n", None)
    examples = [e for doc in run_doc_examples.DOCS for e in run_doc_examples.extract(doc)]
    _, problems = run_doc_examples.match_rules([*examples, extra])
    assert problems == ["README.md:999: 0 entries of RULES in run_doc_examples.py match this "
                        "bash example (exactly one must: run it with a check, or skip it with "
                        "a reason)"]


def test_placeholders_are_replaced_in_shell_and_yaml(tmp_path):
    ctx = run_doc_examples.Context(scratch=tmp_path)
    ctx.substitutions["/path/to/folder"] = str(tmp_path / "shop")
    text = "dbt build --vars '{input_dir: /path/to/folder, export_dir: exports_my_company}'"
    assert run_doc_examples.substitute(text, ctx) == (
        f"dbt build --vars '{{input_dir: {tmp_path / 'shop'}, export_dir: exports_my_company}}'")


def test_the_mall_file_has_the_headers_the_readme_maps(tmp_path):
    run_doc_examples.write_mall_csv(tmp_path)
    header = (tmp_path / "customers.csv").read_text().splitlines()[0]
    assert header == "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)"
