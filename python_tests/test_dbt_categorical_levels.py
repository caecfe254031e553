"""One level however an export spells it, and extra columns under names SQL reads."""

from __future__ import annotations

import pandas as pd
import pytest

from cases.messy_input import EXTRA_HEADERS
from dbt_runner import DbtBuild


@pytest.fixture(scope="module")
def mixed(build_mixed_spellings) -> DbtBuild:
    assert build_mixed_spellings.succeeded, build_mixed_spellings.describe()
    return build_mixed_spellings


def _by_customer(table, column: str) -> dict:
    return dict(zip(table["customer_id"].to_pylist(), table[column].to_pylist(), strict=True))


@pytest.mark.parametrize("column", ["gender", "country"])
def test_every_spelling_of_a_customer_attribute_is_its_clean_level(mixed, column):
    clean = _by_customer(mixed.info["customers"], column)
    cleaned = mixed.query(f"select customer_id, {column} from int_customers_cleaned")
    built = {customer: None if pd.isna(level) else level
             for customer, level in zip(cleaned.customer_id, cleaned[column], strict=True)}
    assert built == clean
    # What BI reads: the same levels, no 'M' beside 'male', no 'DE' beside 'Germany'.
    levels = set(mixed.query(f"select distinct {column} from dim_customer_segments "
                             f"where {column} is not null")[column])
    assert levels == {value for value in clean.values() if value is not None}


def test_every_spelling_of_a_category_is_its_clean_level(mixed):
    clean = mixed.info["orders"]
    lines = mixed.query("select source_row_number, category from int_order_lines_cleaned "
                        "order by source_row_number")
    assert lines.category.tolist() == clean["category"].to_pylist()


def test_a_level_is_one_feature_column_not_one_per_spelling(mixed):
    levels = mixed.query("select attribute, count(distinct level) as levels, "
                         "count(*) as spellings from int_categorical_levels group by attribute")
    levels = levels.set_index("attribute")
    assert levels.loc["gender", "levels"] == 3          # female, male, other
    assert levels.loc["country", "levels"] == 6
    assert levels.loc["category", "levels"] == 7
    assert (levels.spellings > levels.levels).all()
    one_hot = mixed.query("select source_feature, category_level from ml_feature_scaling "
                          "where encoding = 'one_hot'")
    clean = mixed.info["customers"]
    for feature in ("gender", "country"):
        flagged = set(one_hot.category_level[one_hot.source_feature == feature])
        clean_levels = {value for value in clean[feature].to_pylist() if value is not None}
        assert flagged - {"__other__", "__missing__"} <= clean_levels, flagged
        assert len(flagged & clean_levels) >= 2, flagged


def test_extra_columns_get_snake_case_names_and_keep_their_values(mixed):
    staged = mixed.query("select * from stg_input__customers order by source_row_number")
    source = mixed.info["mixed_customers"]
    for header, name in EXTRA_HEADERS.items():
        assert name in staged.columns, list(staged.columns)
        assert staged[name].tolist() == source[header].to_pylist()
