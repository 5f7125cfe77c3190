"""XLSX with openpyxl's write-only mode: rows go to a temporary file, never all in memory.

The header row is bold, frozen and filterable; dates and times are real Excel dates (times
in UTC, as Excel has no time zones); text is always text, never a formula. A sheet holds at
most Excel's 1,048,576 rows, header included: the rows beyond go on to further sheets
("Decision log (2)", ...), each with its own header, so Excel opens every row.
"""

import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from registry.reports.base import Column, Meta
from registry.reports.writers import text_value

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
READ_SIZE = 64 * 1024
#: Data rows per sheet: Excel's limit of 1,048,576 rows, less the header.
SHEET_ROWS = 1_048_575


def write_xlsx(rows: Iterable[dict], meta: Meta) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as handle:
        _workbook(rows, meta).save(handle)
        handle.seek(0)
        while chunk := handle.read(READ_SIZE):
            yield chunk


def _workbook(rows: Iterable[dict], meta: Meta) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet, count = _sheet(workbook, meta, 1), 0
    for row in rows:
        if count == SHEET_ROWS:
            _close(sheet, meta, count)
            sheet, count = _sheet(workbook, meta, len(workbook.worksheets) + 1), 0
        sheet.append([_cell(sheet, column, row.get(column.key)) for column in meta.report.columns])
        count += 1
    _close(sheet, meta, count)
    return workbook


def _sheet(workbook: Workbook, meta: Meta, number: int):
    """A new sheet with the header row: the report's title, numbered from the second on."""
    suffix = f" ({number})" if number > 1 else ""
    sheet = workbook.create_sheet(meta.report.title[: 31 - len(suffix)] + suffix)
    # Write-only sheets take their views and column widths before the first row.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(meta.report.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    sheet.append([_header(sheet, column) for column in meta.report.columns])
    return sheet


def _close(sheet, meta: Meta, count: int) -> None:
    """The filter range, written after the rows so that it can cover them all."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(meta.report.columns))}{count + 1}"


def _header(sheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=column.label)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _cell(sheet, column: Column, value) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if column.kind == "date":
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if column.kind == "datetime":
        cell = WriteOnlyCell(sheet, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if column.kind == "int":
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text_value(column, value)))
    cell.data_type = "s"  # a title like "=1+1" stays text, never a formula
    return cell
