"""Helpers of test_spark_build.py, run as a script in a process of its own: a
SparkSession's warehouse and metastore are fixed for the life of its JVM.

    python spark_tables.py load <warehouse> <csv folder>      # crm.customers, crm.orders
    python spark_tables.py dump <warehouse> <out folder> [<table>...]   # Parquet copies
                                                    # (none named: every table and view)
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import SparkSession


def session(warehouse: str) -> SparkSession:
    return (SparkSession.builder.master("local[2]")
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .enableHiveSupport().getOrCreate())


def main(argv: list[str]) -> None:
    action, warehouse, folder, *tables = argv
    spark = session(warehouse)
    spark.sparkContext.setLogLevel("ERROR")
    if action == "load":
        # Every column as text, as DuckDB reads a CSV (all_varchar).
        spark.sql("create database if not exists crm")
        for name in ("customers", "orders"):
            frame = spark.read.option("header", True).csv(str(Path(folder) / f"{name}.csv"))
            frame.write.mode("overwrite").saveAsTable(f"crm.{name}")
    else:
        tables = tables or [table.name for table in spark.catalog.listTables("segmentation")
                            if not table.isTemporary]
        for table in tables:
            # Spark's own writer, so every column keeps its Spark type (through
            # pandas an all-null column would lose it).
            spark.table(f"segmentation.{table}").coalesce(1).write.parquet(
                str(Path(folder) / f"{table}.parquet"))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
