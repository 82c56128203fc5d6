"""A spreadsheet is read by the cells it holds, not by what it claims: a 5 KB .xlsx whose <dimension> says
A1:XFD1048576 (about 1.7 × 10^10 cells) imports its one real row, and a sheet whose rows run past the line
limit is refused with a clear error after at most MAX_LINES lines of at most 2 × len(COLUMNS) cells."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from marketplace.domain import spreadsheet
from tests.marketplace.test_import import client, seller, upload  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"
# The template's example row, in the category the import tests' seller has.
EXAMPLE = [("tea" if column == "category" else value) for column, value in zip(spreadsheet.COLUMNS, spreadsheet.EXAMPLE,
                                                                             strict=True)]


def crafted_xlsx(*, dimension: str | None = None, last_row: int | None = None) -> bytes:
    """The template's header and one row, with the sheet XML rewritten: a <dimension> claim, or the data row
    renumbered far down the sheet (every row before it then reads as blank)."""
    book = openpyxl.Workbook()
    book.active.append(spreadsheet.COLUMNS)
    book.active.append(EXAMPLE)
    saved = io.BytesIO()
    book.save(saved)
    source, out = zipfile.ZipFile(saved), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET and dimension:
                data, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                assert count == 1
            if item.filename == SHEET and last_row:
                data = re.sub(rb'<row r="2"', f'<row r="{last_row}"'.encode(), data)
                data = re.sub(rb'r="([A-Z]+)2"', lambda m: f'r="{m[1].decode()}{last_row}"'.encode(), data)
            target.writestr(item, data)
    return out.getvalue()


def test_a_claimed_used_range_of_a_billion_cells_reads_only_the_real_ones():
    # given a 4 KB workbook whose sheet claims the whole grid
    data = crafted_xlsx(dimension="A1:XFD1048576")
    assert len(data) < 8_000
    assert openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0].max_row == 1_048_576
    # when it is read
    sheet = spreadsheet.read("listings.xlsx", data)
    # then only its two real lines were walked, and its one row is there
    assert sheet.lines == 2 and sheet.columns == spreadsheet.COLUMNS
    assert [(number, values["sku"]) for number, values in sheet.rows] == [(2, EXAMPLE[0])]


def test_the_seller_imports_such_a_file_as_usual(client):  # noqa: F811
    response = upload(client, crafted_xlsx(dimension="A1:XFD1048576"), name="listings.xlsx", dry_run="true")
    assert response.status_code == 200, response.content[:300]
    assert [(row["row"], row["action"]) for row in response.json()["rows"]] == [(2, "created")]


def test_rows_far_down_the_sheet_are_a_clear_error_not_a_long_wait(client):  # noqa: F811
    # given a sheet that claims the whole grid and whose only data row is numbered 1,048,576 (before the
    # bound, every row above it was read as 16,384 blank cells: minutes for 5 KB)
    data = crafted_xlsx(dimension="A1:XFD1048576", last_row=1_048_576)
    assert len(data) < 8_000
    # then reading stops at the line limit, with an error that says what to do
    with pytest.raises(spreadsheet.SpreadsheetError, match="runs past line 20,000"):
        spreadsheet.read("listings.xlsx", data)
    response = upload(client, data, name="listings.xlsx")
    assert response.status_code == 400
    assert "split it into files" in response.json()["error"]["message"]


def test_blank_lines_count_towards_the_limit_in_a_csv_too():
    text = ",".join(spreadsheet.COLUMNS) + "\n" + "\n" * spreadsheet.MAX_LINES + ",".join(spreadsheet.EXAMPLE) + "\n"
    with pytest.raises(spreadsheet.SpreadsheetError, match="runs past line"):
        spreadsheet.read("listings.csv", text.encode())
