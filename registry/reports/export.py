"""Run an export: check who asks, write it to the audit trail, then stream the file."""

from collections.abc import Iterator
from dataclasses import dataclass

from registry import audit
from registry.errors import Forbidden, Invalid
from registry.extensions import db
from registry.models.base import utcnow
from registry.reports.base import Meta, Report, Viewer
from registry.reports.pdf import write_pdf
from registry.reports.svg import write_svg
from registry.reports.writers import write_csv, write_json
from registry.reports.xlsx import write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: format -> (writer, content type)
WRITERS = {
    "csv": (write_csv, "text/csv; charset=utf-8"),
    "json": (write_json, "application/json"),
    "xlsx": (write_xlsx, XLSX),
    "pdf": (write_pdf, "application/pdf"),
    "svg": (write_svg, "image/svg+xml"),
}


@dataclass(frozen=True)
class Download:
    filename: str
    mimetype: str
    #: The file's bytes, produced as the rows are read.
    chunks: Iterator[bytes]


def shown_filters(args: dict) -> dict[str, str]:
    """The filters as people typed them: query-string names, values as text."""
    return {
        ("from" if key == "from_" else key): str(value)
        for key, value in args.items()
        if key != "format" and value is not None
    }


def export(report: Report, args: dict, viewer: Viewer) -> Download:
    """Audit the export and commit before the first byte, so even an aborted download counts.

    Refused (403, 422) before anything is audited when the role may not have the report or
    the format cannot hold it.
    """
    if viewer.role not in report.roles:
        raise Forbidden(f"Your role does not allow the {report.title.lower()} report.")
    if report.oversize is not None and (reason := report.oversize(args, viewer)):
        raise Invalid(reason, {"format": [reason]}, location="query")
    fmt, filters = args["format"], shown_filters(args)
    audit.record(
        "report.export",
        actor_id=viewer.user_id,
        target_type="report",
        target_id=report.name,
        details={"format": fmt, "filters": filters, "by": viewer.name},
    )
    db.session.commit()
    meta = Meta(report, viewer.name, utcnow(), filters)
    writer, mimetype = WRITERS[fmt]
    filename = f"{report.name}-{meta.generated_at:%Y-%m-%d}.{fmt}"
    return Download(filename, mimetype, writer(report.rows(args, viewer), meta))
