"""Deterministic synthetic company data: a customer master and order lines.

Generators for tests, benchmarks and the demo seeds. Everything is drawn from
one ``numpy.random.Generator`` seeded by ``random_state``, so the same
arguments give the same tables and, once written, byte-identical files.

One module per job:

* ``tables``: the columns, id formats and calendar every generator shares, and
  the vectorised helpers that draw customers and order lines and assemble them
  into Arrow tables.
* ``personas``: the demo company, every customer drawn from one of a few
  hidden personas (``generate_company``, ``generate_company_with_personas``).
* ``planted``: well-separated planted groups with known labels, for checking
  that a segmentation finds them (``generate_planted_customers``,
  ``generate_planted_company``).
* ``realistic_shop``: a shop without planted groups, shaped like a real export
  (``generate_realistic_shop``).
* ``dirty_export``: turns a clean company into a messy CSV-like export with
  counted defects (``make_dirty``).
* ``increments``: the next day's export of a company, with new orders, late
  returns and late cancellations (``next_export``), for daily refreshes.
* ``files``: writes a company as CSV or Parquet (``write_table``,
  ``write_company``) and the command line, run as ``python -m
  segmentation.demo`` or ``segmentation-demo-data``.
"""
