"""Which marts of a DuckDB file are public, whoever reads them.

Both the publication (``publish``) and the Tableau extract (``tableau``) need
this; it lives here so that ``publish`` can use ``tableau`` without
``tableau`` importing ``publish`` back.
"""

from __future__ import annotations

import duckdb

# In the serving DuckDB file beside the marts: one row per mart of this publication.
SERVING_MANIFEST_TABLE = "bi_manifest"


def published_mart_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """{mart name: relation} of the public marts in an open DuckDB file.

    Works on the file ``dbt build`` writes (view ``bi_public_marts``) and on
    the published serving file (table ``bi_manifest``).
    """
    tables = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()}
    for listing in ("bi_public_marts", SERVING_MANIFEST_TABLE):
        if listing in tables:
            names = [name for (name,) in con.execute(
                f"select mart_name from main.{listing} order by mart_name").fetchall()]
            return {name: f'main."{name}"' for name in names}
    raise ValueError(
        "this DuckDB file lists no public marts (no bi_public_marts view nor "
        f"{SERVING_MANIFEST_TABLE} table): build it with this project's `dbt build`")
