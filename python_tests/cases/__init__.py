"""The input cases the dbt tests build, and CASES, the one registry of them.

Each case is a function ``case_<name>(input_dir) -> (vars, info)``: it writes
the case's input files into ``input_dir`` (or nothing, for the demo seeds)
and returns the dbt vars of the build plus whatever the tests need to know
about the data it planted (``info``; ``info["project_dir"]`` builds a copy of
the project, ``info["env"]`` adds environment variables). Cases are grouped
by theme, one module each:

* ``planted``: planted groups with known labels; ``demo_seeds``: the demo
  seeds with different vars; ``realistic_shops``: shops without planted groups.
* ``messy_input``: inputs the build must accept (a dirty export, time zones,
  encodings); ``bad_input``: inputs and vars that must stop the build with
  one clear message; ``hostile``: hostile and broken files (issue 14).
* ``publication``: failing builds that must leave the previous publication.
* ``history``: several builds into one DuckDB file (runs, score mode).
* ``warehouse_tables``: the same data as tables in the warehouse (var input_schema).

A test gets a case's finished build from the session fixture
``build_<name>``, defined in conftest.py; only the cases the selected tests
use are built (``dbt_runner.BuildPool``).
"""

from __future__ import annotations

from cases import (
    bad_input,
    demo_seeds,
    history,
    hostile,
    messy_input,
    planted,
    publication,
    realistic_shops,
    warehouse_tables,
)
from dbt_runner import Case

# Longest first, so two workers finish together.
CASES: dict[str, Case] = {
    "history_demo": history.case_history_demo,
    "history_planted": history.case_history_planted,
    "score_planted_customers": history.case_score_planted_customers,
    "fail_score_after_interrupted_fit": history.case_fail_score_after_interrupted_fit,
    "fail_score_after_scaling_rebuilt": history.case_fail_score_after_scaling_rebuilt,
    "realistic_shop": realistic_shops.case_realistic_shop,
    "single_cohort_shop": realistic_shops.case_single_cohort_shop,
    "few_repeat_buyers": realistic_shops.case_few_repeat_buyers,
    "short_history_shop": realistic_shops.case_short_history_shop,
    "realistic_shop_tables": warehouse_tables.case_realistic_shop_tables,
    "planted_customers_table": warehouse_tables.case_planted_customers_table,
    "planted_customers": planted.case_planted_customers,
    "planted_company": planted.case_planted_company,
    "planted_company_hierarchical": planted.case_planted_company_hierarchical,
    "dirty": messy_input.case_dirty,
    "demo_a": demo_seeds.case_demo_every_method,
    "demo_b": demo_seeds.case_demo_every_method,
    "demo_mixed": demo_seeds.case_demo_mixed,
    "demo_category_mix": demo_seeds.case_demo_category_mix,
    "no_orders": messy_input.case_no_orders,
    "set_aside_quantities": messy_input.case_set_aside_quantities,
    "mixed_spellings": messy_input.case_mixed_spellings,
    "fail_mart_test": publication.case_fail_mart_test,
    "fail_model_outside_the_marts": publication.case_fail_model_outside_the_marts,
    "fail_no_variance": bad_input.case_fail_no_variance,
    "fail_missing_customers": bad_input.case_fail_missing_customers,
    "fail_missing_amount": bad_input.case_fail_missing_amount,
    "fail_unknown_feature": bad_input.case_fail_unknown_feature,
    "fail_column_map": bad_input.case_fail_column_map,
    "fail_unknown_method": bad_input.case_fail_unknown_method,
    "fail_published_history_runs": bad_input.case_fail_published_history_runs,
    "fail_day_month_dates": bad_input.case_fail_day_month_dates,
    "fail_currency_amounts": bad_input.case_fail_currency_amounts,
    "zoned_timestamps": messy_input.case_zoned_timestamps,
    "unmatched_order_ids": messy_input.case_unmatched_order_ids,
    "latin1_csv": messy_input.case_latin1_csv,
    "local_today": messy_input.case_local_today,
    "fail_csv_encoding": bad_input.case_fail_csv_encoding,
    "fail_too_few_customers": bad_input.case_fail_too_few_customers,
    "fail_no_completed_purchase": bad_input.case_fail_no_completed_purchase,
    "hostile_shop": hostile.case_hostile_shop,
    "fail_empty_customers_file": hostile.case_fail_empty_customers_file,
    "fail_corrupt_parquet": hostile.case_fail_corrupt_parquet,
    "fail_one_accepted_customer": hostile.case_fail_one_accepted_customer,
    "fail_as_of_date_before_data": hostile.case_fail_as_of_date_before_data,
}
