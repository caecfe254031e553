"""Several builds into one DuckDB file: runs over time, stable segment ids after
the data changed, and score mode (including its refusals).

Each case runs its earlier steps itself (``run_dbt_build``) and returns the
vars of its last build, which the pool runs like any other case.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dbt_runner import DbtBuild, run_dbt_build
from segmentation.demo.files import write_table
from segmentation.demo.planted import generate_planted_company, generate_planted_customers


def _prefixed(table: pa.Table, columns: tuple[str, ...], prefix: str) -> pa.Table:
    """`table` with `prefix` put before the values of `columns` (new ids)."""
    for column in columns:
        table = table.set_column(table.schema.get_field_index(column), column,
                                 pc.binary_join_element_wise(prefix, table[column], ""))
    return table


def _keep(table: pa.Table, keep: set[str]) -> pa.Table:
    return table.filter(pc.is_in(table["customer_id"], value_set=pa.array(sorted(keep))))


def case_history_demo(input_dir: Path) -> tuple[dict, dict]:
    """Segments over time on the demo seeds: fits at 2025-06-30 and 2025-09-30
    into one DuckDB file; the case's own build then scores at 2025-12-31 and
    publishes the latest two runs of the customer history."""
    work_dir = input_dir.parent
    steps = [run_dbt_build(work_dir, {"as_of_date": day}, name=f"history_demo_{day}")
             for day in ("2025-06-30", "2025-09-30")]
    return ({"as_of_date": "2025-12-31", "mode": "score", "published_history_runs": 2},
            {"steps": steps})


def case_history_planted(input_dir: Path) -> tuple[dict, dict]:
    """The same four planted groups, refitted after a tenth of the customers
    changed: a fit at 2025-12-30 on company A, a fit at 2025-12-31 on company B
    (A with 10% of its customers replaced by new ones from the same groups),
    then the case's own build repeats the 2025-12-31 fit (it replaces that run)."""
    work_dir = input_dir.parent
    customers, orders, labels = generate_planted_company(150, random_state=1)
    fresh_customers, fresh_orders, fresh_labels = generate_planted_company(15, random_state=2)
    ids = customers["customer_id"].to_pylist()
    rng = np.random.default_rng(3)
    dropped = set(rng.choice(ids, size=len(fresh_labels), replace=False).tolist())
    keep = set(ids) - dropped
    changed_customers = pa.concat_tables([
        _keep(customers, keep), _prefixed(fresh_customers, ("customer_id",), "N")])
    changed_orders = pa.concat_tables([
        _keep(orders, keep), _prefixed(fresh_orders, ("customer_id", "order_id"), "N")])
    first, second = input_dir / "a", input_dir / "b"
    for folder, (c, o) in ((first, (customers, orders)),
                           (second, (changed_customers, changed_orders))):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(c, folder / "customers.parquet", file_format="parquet")
        write_table(o, folder / "orders.parquet", file_format="parquet")
    steps = [
        run_dbt_build(work_dir, {"input_dir": str(first), "as_of_date": "2025-12-30"},
                      name="history_planted_a"),
        run_dbt_build(work_dir, {"input_dir": str(second), "as_of_date": "2025-12-31",
                                 **SAME_COMPANY}, name="history_planted_b"),
    ]
    truth = pd.DataFrame({"customer_id": ids, "truth": labels})
    return ({"input_dir": str(second), "as_of_date": "2025-12-31", **SAME_COMPANY},
            {"steps": steps, "truth": truth, "replaced": sorted(dropped)})


# One company exported into a new folder for each step: a build says so, or it
# stops (one history per input, macro check_history_continues).
SAME_COMPANY = {"continue_history": True}

# The two attributes the fit-then-score cases cluster on.
SCORE_FEATURES = ["annual_income", "spending_score"]


def _planted_build(work_dir: Path, folder: Path, as_of_date: str, name: str, *,
                   features: list[str] = SCORE_FEATURES, mode: str | None = None,
                   selector: str | None = "auto") -> DbtBuild:
    """One step of a fit-then-score case: a build of ``folder`` at ``as_of_date``."""
    dbt_vars = {"input_dir": str(folder), "as_of_date": as_of_date, "features": features,
                **SAME_COMPANY}
    if mode:
        dbt_vars["mode"] = mode
    return run_dbt_build(work_dir, dbt_vars, name=name, selector=selector)


def case_score_planted_customers(input_dir: Path) -> tuple[dict, dict]:
    """Fit on planted customers at 2025-01-31; score without the selector, the
    selector without mode score, and a score naming other features (three
    errors); then the case's own build scores at 2025-02-28 after a tenth more
    customers arrived."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(100, 4, random_state=0)
    newcomers, _ = generate_planted_customers(10, 4, random_state=5)
    newcomers = newcomers.set_column(
        0, "customer_id", pc.binary_join_element_wise("new-", newcomers["customer_id"], ""))
    first, second = input_dir / "a", input_dir / "b"
    for folder, table in ((first, customers), (second, pa.concat_tables([customers, newcomers]))):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(table, folder / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, first, "2025-01-31", "score_fit"),
        _planted_build(work_dir, second, "2025-02-28", "score_without_selector", mode="score",
                       selector=None),
        _planted_build(work_dir, second, "2025-02-28", "selector_without_score_mode",
                       selector="score"),
        _planted_build(work_dir, second, "2025-02-28", "score_with_other_features",
                       features=["annual_income"], mode="score"),
    ]
    return ({"input_dir": str(second), "as_of_date": "2025-02-28", "features": SCORE_FEATURES,
             "mode": "score", **SAME_COMPANY}, {"steps": steps})


def case_fail_score_after_interrupted_fit(input_dir: Path) -> tuple[dict, dict]:
    """A fit at 2025-01-31; then a fit at 2025-02-28 that stops part-way (a
    named feature without variance stops it in ml_customer_features_scaled,
    after ml_fit_run and ml_feature_scaling were rebuilt); then the case's own
    build scores, which must refuse the half-replaced model."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(25, 4, random_state=0)
    good, constant = input_dir / "a", input_dir / "c"
    good.mkdir(parents=True, exist_ok=True)
    constant.mkdir(parents=True, exist_ok=True)
    write_table(customers, good / "customers.csv", file_format="csv")
    flat = customers.set_column(customers.column_names.index("spending_score"), "spending_score",
                                pa.array([50.0] * customers.num_rows))
    write_table(flat, constant / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, good, "2025-01-31", "interrupted_first_fit"),
        _planted_build(work_dir, constant, "2025-02-28", "interrupted_fit"),
    ]
    return ({"input_dir": str(good), "as_of_date": "2025-03-31", "features": SCORE_FEATURES,
             "mode": "score", **SAME_COMPANY}, {"steps": steps})


def case_fail_score_after_scaling_rebuilt(input_dir: Path) -> tuple[dict, dict]:
    """A fit at 2025-01-31; then ml_feature_scaling alone is rebuilt by
    another invocation on changed customers, as when a fit build is killed
    after the scaling but before ml_fit_run (dbt may run them in either
    order): ml_fit_run and segment_lineage still carry the first fit's
    stamp. The case's own build scores, which must refuse, naming the table."""
    work_dir = input_dir.parent
    customers, _ = generate_planted_customers(25, 4, random_state=0)
    changed, _ = generate_planted_customers(25, 4, random_state=9)
    first, second = input_dir / "a", input_dir / "b"
    for folder, table in ((first, customers), (second, changed)):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(table, folder / "customers.csv", file_format="csv")
    steps = [
        _planted_build(work_dir, first, "2025-01-31", "rebuilt_scaling_fit"),
        run_dbt_build(work_dir, {"input_dir": str(second), "as_of_date": "2025-02-28",
                                 "features": SCORE_FEATURES, **SAME_COMPANY},
                      name="rebuilt_scaling_alone", select="ml_feature_scaling"),
    ]
    return ({"input_dir": str(second), "as_of_date": "2025-03-31", "features": SCORE_FEATURES,
             "mode": "score", **SAME_COMPANY}, {"steps": steps})
