"""dbt Python models on Spark in the driver process (dbt-spark, method ``session``).

dbt-spark submits Python models only to Databricks (submission methods
``all_purpose_cluster`` and ``job_cluster``, which need a cluster id). With
``method: session`` dbt itself runs inside a pyspark driver, so the natural
place for a Python model is that same process: this module adds a submission
method ``session`` that executes the model's compiled code there, with the
driver's SparkSession as ``spark``, exactly as a Databricks notebook would run
it (dbt-spark's own ``py_write_table`` code reads the refs with
``spark.table`` and writes the result with ``saveAsTable``), and makes it the
default for session targets.

The fits read bounded samples (var fit_sample_size), so running them in the
driver is by design; the scoring of every customer stays in SQL on the cluster.

dbt imports every installed top-level module named ``dbt_*`` when it loads a
project (its plugin manager, dbt/plugins/manager.py), which is how this
registers itself: nothing to configure. Without dbt-spark it does nothing, and
other adapters and other Spark methods are untouched.
"""

from __future__ import annotations

from typing import Any

plugins: list = []  # no nodes or artifacts: the import is the whole effect

SUBMISSION_METHOD = "session"


def _register() -> None:
    try:
        from dbt.adapters.base import PythonJobHelper
        from dbt.adapters.spark.impl import SparkAdapter
        from dbt_common.exceptions import DbtRuntimeError
    except ImportError:  # dbt-spark is not installed: nothing to extend
        return
    if getattr(SparkAdapter, "_segmentation_session_python", False):
        return

    class SessionPythonJobHelper(PythonJobHelper):
        """Runs a compiled Python model in this process's SparkSession."""

        def __init__(self, parsed_model: dict, credentials: Any) -> None:
            self.parsed_model = parsed_model
            if getattr(credentials, "method", None) != "session":
                raise DbtRuntimeError(
                    f"{parsed_model.get('unique_id')}: submission_method 'session' runs a "
                    "Python model in dbt's own process and needs a target with "
                    f"method: session (this one has method: {credentials.method})")

        def submit(self, compiled_code: str) -> None:
            from pyspark.sql import SparkSession

            code = compile(compiled_code, f"<dbt python model {self.parsed_model['unique_id']}>",
                           "exec")
            exec(code, {"spark": SparkSession.builder.getOrCreate(),  # noqa: S102
                        "__name__": "__dbt_python_model__"})

    helpers = SparkAdapter.python_submission_helpers.fget
    default_method = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self):
        return {**helpers(self), SUBMISSION_METHOD: SessionPythonJobHelper}

    def default_python_submission_method(self):
        if getattr(self.config.credentials, "method", None) == "session":
            return SUBMISSION_METHOD
        return default_method(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._segmentation_session_python = True


_register()
