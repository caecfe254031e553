"""dbt_segmentation_spark: dbt-spark's session method runs Python models in the driver.

The whole build on Spark (test_spark_build.py) shows the models run; this checks
the registration itself: dbt finds the module as a plugin, session targets
default to the new submission method, other targets keep dbt-spark's, and a
Python model run that way executes its compiled code with the driver's
SparkSession. Needs the spark extra (CI installs it).
"""

from __future__ import annotations

import importlib.util
import os
from types import SimpleNamespace

import pytest


@pytest.fixture(scope="module")
def spark_adapter():
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        if os.environ.get("SEGMENTATION_REQUIRE_SPARK") == "1":
            pytest.fail("dbt-spark is missing: pip install -e '.[spark]'")
        pytest.skip("dbt-spark is not installed (pip install -e '.[spark]')")
    from dbt.adapters.spark.impl import SparkAdapter

    import dbt_segmentation_spark  # noqa: F401
    return SparkAdapter


def _adapter(cls, method: str):
    adapter = object.__new__(cls)  # the properties read only .config
    adapter.config = SimpleNamespace(credentials=SimpleNamespace(method=method))
    return adapter


def test_dbt_finds_the_module_as_a_plugin():
    from dbt.plugins.manager import PluginManager
    assert "dbt_segmentation_spark" in PluginManager.get_prefixed_modules()


def test_session_targets_run_python_models_in_the_driver(spark_adapter):
    session = _adapter(spark_adapter, "session")
    assert session.default_python_submission_method == "session"
    assert "session" in session.python_submission_helpers
    # dbt-spark's own methods stay, and stay the default elsewhere.
    thrift = _adapter(spark_adapter, "thrift")
    assert thrift.default_python_submission_method == "all_purpose_cluster"
    assert {"all_purpose_cluster", "job_cluster"} <= set(thrift.python_submission_helpers)


def test_the_session_method_needs_a_session_target(spark_adapter):
    from dbt_common.exceptions import DbtRuntimeError
    helper = _adapter(spark_adapter, "session").python_submission_helpers["session"]
    with pytest.raises(DbtRuntimeError, match="needs a target with method: session"):
        helper({"unique_id": "model.p.m"}, SimpleNamespace(method="thrift"))


def test_a_model_runs_with_the_drivers_spark_session(spark_adapter, monkeypatch):
    helper_class = _adapter(spark_adapter, "session").python_submission_helpers["session"]
    helper = helper_class({"unique_id": "model.p.m"}, SimpleNamespace(method="session"))
    import pyspark.sql
    driver_session = SimpleNamespace(name="the driver's session")
    monkeypatch.setattr(pyspark.sql.SparkSession, "builder",
                        SimpleNamespace(getOrCreate=lambda: driver_session))
    # The compiled code sees it as `spark`; its errors reach dbt as they are.
    with pytest.raises(LookupError, match="the driver's session"):
        helper.submit("raise LookupError(spark.name)")
