"""`flask --app wsgi registry export REPORT --format F --output FILE [filters]`, for cron jobs.

The command line runs as the operator: it sees every agency's data, and each export is
written to the audit trail like an API download.
"""

import os
from pathlib import Path

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from registry.errors import RegistryError
from registry.reports import REPORTS
from registry.reports.base import Viewer
from registry.reports.export import export


@click.command("export")
@click.argument("report", type=click.Choice(sorted(REPORTS)))
@click.option("--format", "format_", required=True, help="csv, json, xlsx, pdf or svg.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", help="Agency code.")
@click.option("--status", help="agreements: draft, active, suspended, terminated, expired.")
@click.option("--within-days", "within_days", help="review-due: the horizon in days.")
@click.option("--from", "from_", help="decisions, access, audit: first day (YYYY-MM-DD).")
@click.option("--to", help="decisions, access, audit: last day (YYYY-MM-DD).")
@click.option("--outcome", help="decisions: share, share_with_justification, do_not_share.")
@click.option("--shared", help="decisions: true or false.")
@click.option("--covered", help="coverage: true (pairs with an agreement) or false (gaps).")
@with_appcontext
def export_command(report, format_, output, **options):
    """Write a report to a file (written whole, then moved into place)."""
    chosen = REPORTS[report]
    raw = {"format": format_} | {
        ("from" if key == "from_" else key): value
        for key, value in options.items()
        if value is not None
    }
    try:
        args = chosen.args().load(raw)
    except ValidationError as err:
        raise click.ClickException(f"{report}: {_problems(err.messages)}") from None
    try:
        result = export(chosen, args, Viewer.operator())
    except RegistryError as err:
        raise click.ClickException(f"{report}: {err.message}") from None
    size = _write(output, result.chunks)
    click.echo(f"Wrote the {report} report ({args['format']}, {size} bytes) to {output}.")


def _problems(messages: dict) -> str:
    return "; ".join(
        f"--{field.replace('_', '-')} does not apply to this report"
        if msgs == ["Unknown field."]
        else f"--{field.replace('_', '-')}: {' '.join(msgs)}"
        for field, msgs in messages.items()
    )


def _write(output: Path, chunks) -> int:
    partial = output.with_name(output.name + ".part")
    size = 0
    with partial.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    os.replace(partial, output)
    return size
