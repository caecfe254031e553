"""Publishes the public marts (bi_public_marts) into var export_dir: see segmentation.publish.

It runs only after every mart and its tests passed (it depends on all of
them through bi_public_marts), so BI never reads a failed build's data.
"""

from pathlib import Path

from segmentation.publish import publish_marts


def model(dbt, session):
    marts = dict(dbt.ref("bi_public_marts").select("mart_name, relation_name").fetchall())
    [(invocation_id,)] = dbt.ref("bi_public_marts").aggregate("any_value(invocation_id)").fetchall()
    [(as_of_date,)] = dbt.ref("dim_customer_segments").aggregate("max(as_of_date)").fetchall()
    return publish_marts(
        session,
        marts,
        Path(dbt.config.get("export_dir")),
        formats=dbt.config.get("export_formats"),
        invocation_id=invocation_id,
        as_of_date=as_of_date,
    )
