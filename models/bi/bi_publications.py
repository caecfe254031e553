"""Publishes the public marts (bi_public_marts) into var export_dir: see segmentation.publish.

It runs only after every model of the build and its tests passed (it reads
the row counts of all of them, bi_model_row_counts, into the manifest), so BI
never reads a failed build's data.
"""

from pathlib import Path

from segmentation.publish import publish_marts


def model(dbt, session):
    marts = dict(dbt.ref("bi_public_marts").select("mart_name, relation_name").fetchall())
    [(invocation_id,)] = dbt.ref("bi_public_marts").aggregate("any_value(invocation_id)").fetchall()
    [(as_of_date,)] = dbt.ref("dim_customer_segments").aggregate("max(as_of_date)").fetchall()
    row_counts = dict(dbt.ref("bi_model_row_counts").select("model_name, row_count").fetchall())
    return publish_marts(
        session,
        marts,
        Path(dbt.config.get("export_dir")),
        formats=dbt.config.get("export_formats"),
        invocation_id=invocation_id,
        as_of_date=as_of_date,
        model_row_counts=row_counts,
    )
