"""Reading a seller's spreadsheet of listings (CSV or XLSX) into rows of strings. Pure code: bytes in,
rows out, and a clear SpreadsheetError for a file that cannot be read as a whole."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

MAX_ROWS = 5_000
# Lines read at most, blank ones included: a sheet's row numbers (and its <dimension> claim) are the file's
# word, and a 4 KB .xlsx can claim a million rows of 16,384 columns.
MAX_LINES = 4 * MAX_ROWS
MAX_BYTES = 10 * 1024 * 1024
COLUMNS = ["sku", "title_en", "title_zh", "description_en", "description_zh", "category", "hs_code", "origin_country",
           "price", "moq", "stock", "weight_kg", "length_cm", "width_cm", "height_cm", "retail", "b2b_only", "tiers",
           "status"]
REQUIRED = ["sku", "hs_code", "origin_country", "price", "stock", "weight_kg"]
EXAMPLE = ["TEA-LJ-250", "Longjing green tea, 250 g tin", "明前龙井绿茶 250克", "Pan-fired spring tea.",
           "西湖龙井，清明前采摘。", "food/tea", "090210", "CN", "168.00", "1", "400", "0.350", "20", "15", "10", "yes",
           "no", "50=150.00;200=140.00", "published"]


class SpreadsheetError(ValueError):
    def __init__(self, message: str, *, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass
class Sheet:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as the seller sees it, values by column)
    lines: int = 0  # lines read, header and blank ones included


def read(name: str, data: bytes) -> Sheet:
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(f"The file is {len(data) / 1024 / 1024:.1f} MB; upload at most 10 MB "
                               f"(and at most {MAX_ROWS:,} rows).")
    if not data.strip():
        raise SpreadsheetError("The file is empty.")
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:2] == b"PK":
        return _check(_xlsx_rows(data))
    if lower.endswith((".csv", ".txt")) or not lower.rpartition(".")[1]:
        return _check(_csv_rows(data))
    raise SpreadsheetError("Upload a .csv (UTF-8) or .xlsx file.")


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpreadsheetError(f"The file is not UTF-8 text (first bad byte on line {line}). Save it as "
                               "“CSV UTF-8” and upload it again.") from exc
    if "\x00" in text[:4096]:
        raise SpreadsheetError("This is not a CSV text file. Upload a .csv (UTF-8) or .xlsx file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        raise SpreadsheetError(f"The CSV is malformed on line {reader.line_num}: {exc}.") from exc


def _xlsx_rows(data: bytes):
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SpreadsheetError("This .xlsx file cannot be opened; save it again from your spreadsheet program.") \
            from exc
    try:
        sheet = book.worksheets[0]
        # Read the cells the file holds, not the used range it claims; no valid header is wider than COLUMNS.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(max_col=2 * len(COLUMNS), values_only=True):
            yield ["" if value is None else _cell(value) for value in row]
    finally:
        book.close()


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check(rows) -> Sheet:
    rows = iter(rows)
    header = next(rows, None)
    while header is not None and not any(str(c).strip() for c in header):
        header = next(rows, None)
    if header is None:
        raise SpreadsheetError("The file has no header row. Download the template to see the columns.")
    columns = [str(c).strip().lower().replace(" ", "_") for c in header]
    while columns and not columns[-1]:
        columns.pop()
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise SpreadsheetError(f"Unknown column(s): {', '.join(unknown[:5])}. The columns are: {', '.join(COLUMNS)}.",
                               column=unknown[0])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SpreadsheetError(f"Missing column(s): {', '.join(missing)}.", column=missing[0])
    if "title_en" not in columns and "title_zh" not in columns:
        raise SpreadsheetError("Add a title_en or title_zh column.", column="title_en")
    duplicates = {c for c in columns if columns.count(c) > 1}
    if duplicates:
        raise SpreadsheetError(f"Column {sorted(duplicates)[0]} appears twice.", column=sorted(duplicates)[0])
    out, number = [], 1
    for number, row in enumerate(rows, start=2):
        if number > MAX_LINES:
            raise SpreadsheetError(f"The file runs past line {MAX_LINES:,}; split it into files of at most "
                                   f"{MAX_ROWS:,} rows. Nothing was imported.")
        values = {column: str(row[i]).strip() if i < len(row) else "" for i, column in enumerate(columns)}
        if not any(values.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows; split it into files of at most "
                                   f"{MAX_ROWS:,} rows. Nothing was imported.")
        out.append((number, values))
    if not out:
        raise SpreadsheetError("The file has a header but no rows.")
    return Sheet(columns=columns, rows=out, lines=number)


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "listings"
    sheet.append(COLUMNS)
    sheet.append(EXAMPLE)
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
