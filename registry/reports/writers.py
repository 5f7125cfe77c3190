"""CSV and JSON writers: generators of bytes, so a download streams as rows are read.

JSON shape (every report): one object whose metadata comes first and whose rows come last,
streamed as they are read:
``{"report", "title", "generated_by", "generated_at", "filters", "columns": [{key, label}],
"items": [{...}, ...], "total": N}``.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from registry.reports.base import Column, Meta

BOM = "\ufeff"
#: Excel runs a cell starting with these as a formula (CSV injection); tab and CR too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Flush the stream roughly every this many characters.
CHUNK = 32 * 1024


def text_value(column: Column, value) -> str:
    """A cell as people read it: lists joined, yes/no, ISO dates, '' for nothing."""
    if value is None:
        return ""
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind in ("codes", "list"):
        return "; ".join(str(item) for item in value)
    if column.kind == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def neutralise(column: Column, cell: str) -> str:
    """Prefix a quote so spreadsheets show text instead of running it as a formula.

    Numbers the registry computes (a negative "days left") stay numbers.
    """
    if column.kind != "int" and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def chunked(pieces: Iterable[str]) -> Iterator[bytes]:
    """Group small strings into chunks of about CHUNK characters, UTF-8 encoded."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_csv(rows: Iterable[dict], meta: Meta) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then reads the encoding right), a header row, CRLF lines."""
    return chunked(_csv_lines(rows, meta.report.columns))


def _csv_lines(rows: Iterable[dict], columns: tuple[Column, ...]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in columns])
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(c, text_value(c, row.get(c.key))) for c in columns])
        yield buffer.getvalue()


def json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def write_json(rows: Iterable[dict], meta: Meta) -> Iterator[bytes]:
    return chunked(_json_pieces(rows, meta))


def _json_pieces(rows: Iterable[dict], meta: Meta) -> Iterator[str]:
    columns = meta.report.columns
    head = {
        "report": meta.report.name,
        "title": meta.report.title,
        "generated_by": meta.generated_by,
        "generated_at": meta.generated_at.isoformat(),
        "filters": meta.filters,
        "columns": [{"key": c.key, "label": c.label} for c in columns],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
    total = 0
    for row in rows:
        item = {c.key: json_value(row.get(c.key)) for c in columns}
        yield ("," if total else "") + json.dumps(item, ensure_ascii=False)
        total += 1
    yield f'], "total": {total}}}'
