"""`flask --app wsgi registry generate`: fill an empty database with a synthetic registry."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.extensions import db


@click.command("generate")
@click.option("--agencies", type=click.IntRange(min=2), default=2000, show_default=True)
@click.option("--agreements", type=click.IntRange(min=0), default=50_000, show_default=True)
@click.option("--people", type=click.IntRange(min=0), default=1_000_000, show_default=True)
@click.option(
    "--checks",
    type=click.IntRange(min=0),
    default=None,
    help="Past checks to write (default: one per ten people).",
)
@click.option("--seed", type=int, default=2026, show_default=True)
@with_appcontext
def generate_command(agencies, agreements, people, checks, seed):
    """Fill an EMPTY, migrated database with a realistic synthetic registry (not in production).

    People are numbered 0..P-1; person i's identifier is registry.generate.person_identifier(i)
    and is stored only as its keyed hash. Every generated user's password is
    "generated-registry-password".
    """
    from registry.generate import GenerateRefused, generate

    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("generate refuses to run with the production configuration.")
    checks = people // 10 if checks is None else checks
    click.echo(
        f"Generating {agencies} agencies, {agreements} agreements, {people} people, "
        f"{checks} checks (seed {seed}) into {db.engine.url.render_as_string()}"
    )
    started = time.perf_counter()
    try:
        counts = generate(
            agencies, agreements, people, checks, seed, current_app.config["SUBJECT_KEY"]
        )
    except GenerateRefused as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    for table, rows in counts.items():
        click.echo(f"  {table:<28} {rows:>10,}")
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")
