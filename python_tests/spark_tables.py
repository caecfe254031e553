"""Helpers of test_spark_sql_layer.py, run as a script in a process of its own: a
SparkSession's warehouse and metastore are fixed for the life of its JVM.

    python spark_tables.py load <warehouse> <csv folder>      # crm.customers, crm.orders
    python spark_tables.py dump <warehouse> <out folder> <table>...   # Parquet copies
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
        for table in tables:
            frame = spark.table(f"segmentation.{table}").toPandas()
            frame.to_parquet(Path(folder) / f"{table}.parquet")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
