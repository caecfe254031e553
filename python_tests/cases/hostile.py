"""Hostile and broken inputs (issue 14): the cases the hostile-input tests build.

Each case writes its files byte for byte (a generated company, then lines no
writer would produce: injected headers, placeholder values, ragged lines,
bytes that are not UTF-8) and returns (vars, info) like every case (see
cases/__init__.py). ``info["expected"]`` says what the build must make of each
planted defect, so the tests compare against the plan, not against the build.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq

from segmentation.demo.files import write_table
from segmentation.demo.personas import generate_company

# A folder name with every character that breaks naive quoting: an
# apostrophe, a double quote, glob brackets, spaces and a non-ASCII letter.
HOSTILE_FOLDER = "o'brien \"exports\" [2024] é"

INCOME_HEADER = 'Income "k$" l\'an é'

NULL_TOKEN_IDS = ["NULL", "N/A", "#N/A", "-", "None", "nan"]


def _csv_text(table) -> str:
    buffer = io.BytesIO()
    write_table(table, buffer, file_format="csv")
    return buffer.getvalue().decode()


def _line_number(lines: list[str]) -> int:
    """The line number of the last of ``lines`` as DuckDB's CSV reader counts
    lines: the header is line 1, and a newline inside a quoted field does not
    start a line (so an editor may show a later number)."""
    return len(lines)


def case_hostile_shop(input_dir: Path) -> tuple[dict, dict]:
    """One build with every row-level defect and injection the issue lists.

    A real company of 300 customers, in a folder with a hostile name, whose
    customers header carries two injection attempts (a subquery reading a
    file, a COPY writing one) and whose rows carry null-token ids, ids with
    tabs and no-break spaces, placeholder and infinite dates, NaN and infinite
    numbers, a quoted newline and control character, ragged and commented
    lines, a 3 MB field and a byte that is not UTF-8.
    """
    folder = input_dir / HOSTILE_FOLDER
    folder.mkdir()
    work_dir = input_dir.parent
    leak_target = work_dir / "leaked.txt"
    leak_target.write_text("SECRET-CONTENT-42\n")
    pwned = [work_dir / "pwned_customers.csv", work_dir / "pwned_orders.csv"]
    customers, orders = generate_company(300, random_state=14)
    expected_rejections: dict[str, str] = {}
    expected_values: set[tuple[str, str]] = set()

    # --- customers: two injection headers, then defects row by row.
    leak_header = f'a" , (select content from read_text(\'{leak_target}\')) as "leaked", --'
    copy_header = f"b\" from (select 1); copy (select 42) to '{pwned[0]}'; select \"x"
    text = _csv_text(customers)
    header, *rows = text.rstrip("\n").split("\n")
    header += ',"' + leak_header.replace('"', '""') + '","' + copy_header.replace('"', '""') + '"'
    # A column mapped by var column_map whose name has quotes, an apostrophe,
    # a dollar sign and a non-ASCII letter.
    assert '"annual_income"' in header
    header = header.replace('"annual_income"', '"' + INCOME_HEADER.replace('"', '""') + '"')
    rows = [row + ",x,y" for row in rows]
    lines = [header, *rows]
    # Null-token ids: missing ids, not customers.
    for token in NULL_TOKEN_IDS:
        lines.append(f'"{token}",2023-05-01,40,"female","Germany",50.0,50,x,y')
    # An id with a tab before and a no-break space after: trimmed to T9001.
    lines.append('"\tT9001\u00a0",2023-05-01,40,"female","Germany",50.0,50,x,y')
    # Placeholder and impossible attribute values on accepted customers.
    for number, (signup, income) in enumerate([("0001-01-01", "Infinity"), ("1900-01-01", "inf"),
                                               ("-infinity", "1e308"), ("9999-01-01", "-inf")]):
        customer_id = f"P{number}"
        lines.append(f'"{customer_id}",{signup},40,"male","France",{income},50,x,y')
        expected_values |= {(customer_id, "signup_date"), (customer_id, "annual_income")}
    # A less complete duplicate of P0 whose country holds a newline and a
    # control character: rejected, and its raw values must be valid JSON.
    lines.append('"P0",,,"male","Line1\nLine2\x01",,,x,y')
    expected_rejections["P0"] = "duplicate customer_id"
    # A field of 3 MB (DuckDB's default line limit is 2 MB): an ordinary row.
    lines.append('"BIG1",2023-01-01,40,"male","' + "z" * 3_000_000 + '",10.0,50,x,y')
    # Lines the reader cannot read, each at a known line number (header = 1).
    unreadable = {}
    for line in ['"R1",2023-01-01,40,"male","France",10.0,50,x,y,EXTRA',
                 '"R2",2023-01-01', "# exported by a tool"]:
        lines.append(line)
        unreadable[_line_number(lines)] = line
    lines.append("")  # a blank line is no row at all
    lines.append('"AFTER",2023-02-01,33,"female","Spain",20.0,50,x,y')
    data = ("\n".join(lines) + "\n").encode()
    # A byte that is not UTF-8, on its own line.
    data += b'"BAD\xff",2023-01-01,40,"male","France",10.0,50,x,y\n'
    unreadable[_line_number(lines) + 1] = None
    customer_records = len(lines) - 1 - 1 + 1  # no header, no blank line, plus BAD
    (folder / "customers.csv").write_bytes(data)

    # --- orders: an injection header and defects by line.
    orders_text = _csv_text(orders)
    order_header, *order_rows = orders_text.rstrip("\n").split("\n")
    order_copy_header = f"note\"; copy (select 1) to '{pwned[1]}'; --"
    order_header += ',"' + order_copy_header.replace('"', '""') + '"'
    order_lines = [order_header, *(row + ",n" for row in order_rows)]
    first_customer = customers["customer_id"][0].as_py()
    bad_orders = {
        "XA1": ("2024-03-01", "NaN", "1", "implausible amount"),
        "XA2": ("2024-03-01", "inf", "1", "implausible amount"),
        "XA3": ("2024-03-01", "-inf", "1", "implausible amount"),
        "XA4": ("2024-03-01", "1e308", "1", "implausible amount"),
        "XD1": ("-infinity", "10", "1", "order_date before min_plausible_date"),
        "XD2": ("0001-01-01", "10", "1", "order_date before min_plausible_date"),
        "XD3": ("1900-01-01", "10", "1", "order_date before min_plausible_date"),
        "XD4": ("infinity", "10", "1", "order_date in the future"),
    }
    for order_id, (order_date, amount, quantity, _) in bad_orders.items():
        order_lines.append(f'"{order_id}","{first_customer}",{order_date},{amount},"books",'
                           f'"completed",{quantity},n')
    for order_id, quantity in [("XQ1", "inf"), ("XQ2", "1e300"), ("XQ3", "NaN")]:
        order_lines.append(f'"{order_id}","{first_customer}",2024-03-01,10,"books","completed",'
                           f'{quantity},n')
    order_lines.append('"XN1","N/A",2024-03-01,10,"books","completed",1,n')
    # A customer id with a tab at its edge and a date in var date_formats.
    order_lines.append(f'"XT1","\t{first_customer}",05 Mar \'24,10,"books","completed",1,n')
    order_lines.append('"XR1","000001",2024-03-01,10,"books","completed",1,n,EXTRA')
    unreadable_orders = {_line_number(order_lines): order_lines[-1]}
    (folder / "orders.csv").write_text("\n".join(order_lines) + "\n")

    dbt_vars = {
        "input_dir": str(folder),
        # One status as text, not a list: a list of one, not five letters.
        "return_statuses": "returned",
        # A legitimate format with an apostrophe.
        "date_formats": ["%d %b '%y"],
        "column_map": {"customers": {"annual_income": INCOME_HEADER}},
    }
    return dbt_vars, {
        "folder": folder, "leak_header": leak_header, "copy_header": copy_header,
        "order_copy_header": order_copy_header, "pwned": pwned, "secret": "SECRET-CONTENT-42",
        "customer_data_rows": customer_records,
        "order_data_rows": len(order_lines) - 1,
        "unreadable_customer_lines": unreadable, "unreadable_order_lines": unreadable_orders,
        "expected_values": expected_values, "expected_rejections": expected_rejections,
        "bad_orders": bad_orders, "first_customer": first_customer,
        "orders": orders, "customers": customers,
    }


def case_fail_empty_customers_file(input_dir: Path) -> tuple[dict, dict]:
    """A customers.csv of 0 bytes: named as empty, not as a missing column 'column0'."""
    (input_dir / "customers.csv").write_bytes(b"")
    return {"input_dir": str(input_dir)}, {"customers_path": input_dir / "customers.csv"}


def case_fail_corrupt_parquet(input_dir: Path) -> tuple[dict, dict]:
    """A customers.parquet whose footer is overwritten: the file is named."""
    customers, _ = generate_company(50, random_state=2)
    path = input_dir / "customers.parquet"
    pq.write_table(customers, path)
    data = bytearray(path.read_bytes())
    for index in range(len(data) - 200, len(data) - 20):
        data[index] = (data[index] * 7 + 3) % 256
    path.write_bytes(bytes(data))
    return {"input_dir": str(input_dir)}, {"customers_path": path}


def case_fail_one_accepted_customer(input_dir: Path) -> tuple[dict, dict]:
    """Ten rows, nine of them without a real id: one customer cannot be segmented."""
    lines = ["customer_id,age,annual_income,spending_score", "C1,30,50,50"]
    lines += [f"{token},30,50,50" for token in NULL_TOKEN_IDS + ["", "null", " n/a "]]
    (input_dir / "customers.csv").write_text("\n".join(lines) + "\n")
    return {"input_dir": str(input_dir)}, {"customers_path": input_dir / "customers.csv"}


def case_fail_as_of_date_before_data(input_dir: Path) -> tuple[dict, dict]:
    """as_of_date before every signup and order."""
    customers, orders = generate_company(60, random_state=4)
    write_table(customers, input_dir / "customers.csv", file_format="csv")
    write_table(orders, input_dir / "orders.csv", file_format="csv")
    return {"input_dir": str(input_dir), "as_of_date": "2001-01-01"}, {}
