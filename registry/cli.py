"""`flask --app wsgi registry …`: the operator's commands."""

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from registry import audit
from registry.api.schemas import VerifyArgsSchema
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Role
from registry.reports.cli import export_command

registry_cli = AppGroup("registry", help="Manage the Information Sharing Registry.")
registry_cli.add_command(export_command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _error_text(err: RegistryError) -> str:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (err.errors or {}).items())
    return f"{err.message} {details}".strip()


@registry_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", help="Agency code (agency_lead and practitioner only).")
def create_user_command(email, name, role, agency):
    """Create a user; the password comes from REGISTRY_PASSWORD or a prompt."""
    from registry.api.schemas import UserCreateSchema
    from registry.services.users import create_user

    password = os.environ.get("REGISTRY_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    errors = UserCreateSchema().validate(
        {"email": email, "name": name, "role": role, "agency": agency, "password": password}
    )
    if errors:
        _fail("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
    try:
        user = create_user(
            {"email": email, "name": name, "role": role, "agency": agency, "password": password},
            actor=None,
        )
    except RegistryError as err:
        db.session.rollback()
        _fail(_error_text(err))
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@registry_cli.command("audit-verify")
@click.option("--events", type=int, help="The event count of an earlier intact check, kept.")
@click.option("--last-hash", help="The last hash of the same check.")
def audit_verify_command(events, last_hash):
    """Check that the audit trail has not been altered (exit status 1 if it has).

    Given --events and --last-hash kept from an earlier check, it also checks that the
    chain still holds them, which catches a chain rewritten whole.
    """
    given = {"events": events, "last_hash": last_hash}
    try:
        anchor = VerifyArgsSchema().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as err:
        _fail("; ".join(f"--{f.replace('_', '-')}: {' '.join(m)}" for f, m in err.messages.items()))
    result = audit.verify(audit.Anchor.given(anchor))
    if result.ok:
        click.echo(f"Audit trail intact: {result.events} events.")
        if result.anchor_ok:
            click.echo(f"It still holds event {events} with the hash kept.")
        if result.last_hash:
            click.echo(f"Last event's hash: {result.last_hash} (keep it with the count).")
        return
    if result.first_broken is not None:
        click.echo(
            f"Audit trail BROKEN at event {result.first_broken} ({result.events} events read).",
            err=True,
        )
    if result.anchor_ok is False:
        click.echo(
            f"Audit trail BROKEN: event {events} no longer has the hash kept; the chain was "
            f"cut short or rewritten ({result.events} events read).",
            err=True,
        )
    raise SystemExit(1)


@registry_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Skip quietly (exit 0) when data exists.")
def seed_demo_command(if_empty):
    """Load a small demo world into an empty database and print the demo logins."""
    from registry.demo import DemoRefused, demo_logins, seed_demo

    if current_app.config.get("PRODUCTION"):
        _fail("seed-demo refuses to run with the production configuration.")
    try:
        seed_demo()
    except DemoRefused as err:
        db.session.rollback()
        if not if_empty:
            _fail(str(err))
        click.echo("The database already holds data, so no demo data was loaded.")
    else:
        db.session.commit()
        click.echo("Demo data loaded.")
    logins = demo_logins()
    if logins:
        click.echo("Demo sign-ins (every demo user has the same password):")
        for email, role, agency, password in logins:
            click.echo(f"  {role:<13} {email:<34} {agency or '':<6} {password}")


def init_app(app: Flask) -> None:
    from registry.generate_cli import generate_command  # synthetic data for benchmarks

    registry_cli.add_command(generate_command)
    app.cli.add_command(registry_cli)
