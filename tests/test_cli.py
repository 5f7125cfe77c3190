"""The operator's commands: create-user, seed-demo, audit-verify; production start-up checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from config import ProductionConfig, TestingConfig
from registry import create_app
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from registry.models import Agency, AuditEvent, User

ROOT = Path(__file__).resolve().parent.parent
GOOD_PASSWORD = "a-long-enough-password"


def create_user(runner, *args, password=GOOD_PASSWORD, **kwargs):
    env = {"REGISTRY_PASSWORD": password} if password is not None else {}
    return runner.invoke(args=["registry", "create-user", *args], env=env, **kwargs)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- create-user -----------------------------------------------------------------------


def test_create_user_from_the_environment(app, client, runner, world):
    result = create_user(
        runner, "New.Lead@Example.org", "--name", "New Lead", "--role", "agency_lead",
        "--agency", "POL",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created agency_lead new.lead@example.org" in result.output
    assert GOOD_PASSWORD not in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.lead@example.org"))
        assert (user.name, user.role, user.agency_code, user.active) == (
            "New Lead",
            "agency_lead",
            "POL",
            True,
        )
        assert user.password_hash.startswith("$argon2id$")
        assert f"(id {user.id})" in result.output
    token = client.post(
        "/api/v1/tokens", json={"email": "new.lead@example.org", "password": GOOD_PASSWORD}
    )
    assert token.status_code == 201, token.json


def test_create_admin_into_an_empty_database(app, runner):
    result = create_user(runner, "root@example.org", "--name", "Root", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "Created admin root@example.org" in result.output
    assert count(app, User) == 1


def test_create_user_prompts_for_the_password_when_not_in_the_environment(app, runner):
    result = create_user(
        runner,
        "auditor@example.org",
        "--name",
        "Aud",
        "--role",
        "auditor",
        password=None,
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created auditor auditor@example.org" in result.output
    assert GOOD_PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "password", "exit_code", "message"),
    [
        (["--role", "superuser"], GOOD_PASSWORD, 2, "--role"),
        (["--role", "practitioner", "--agency", "NOPE"], GOOD_PASSWORD, 1, "NOPE"),
        (["--role", "practitioner", "--agency", "CSC"], "short", 1, "password"),
        (["--role", "practitioner"], GOOD_PASSWORD, 1, "agency"),
        (["--role", "admin", "--agency", "CSC"], GOOD_PASSWORD, 1, "agency"),
    ],
    ids=["bad role", "unknown agency", "short password", "no agency", "admin with agency"],
)
def test_create_user_refuses_bad_input(app, runner, world, args, password, exit_code, message):
    before = count(app, User)
    result = create_user(
        runner, "x@example.org", "--name", "X", *args, password=password
    )  # fmt: skip
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert "Error" in result.output
    assert "Traceback" not in result.output
    assert count(app, User) == before


def test_create_user_refuses_a_bad_email(app, runner):
    result = create_user(runner, "not-an-email", "--name", "X", "--role", "auditor")
    assert result.exit_code == 1, result.output
    assert "email" in result.output
    assert count(app, User) == 0


def test_create_user_refuses_a_duplicate_email(app, runner, world):
    before = count(app, User)
    result = create_user(runner, "PRAC_CSC@example.org", "--name", "X", "--role", "auditor")
    assert result.exit_code == 1, result.output
    assert "already exists" in result.output
    assert count(app, User) == before


# --- seed-demo -------------------------------------------------------------------------


def test_seed_demo_loads_an_empty_database_and_prints_the_logins(app, client, runner):
    result = runner.invoke(args=["registry", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert "admin@demo.example" in result.output
    assert "practitioner.csc@demo.example" in result.output
    assert DEMO_PASSWORD in result.output
    assert count(app, Agency) >= 5 and count(app, User) >= 10
    token = client.post(
        "/api/v1/tokens", json={"email": "auditor@demo.example", "password": DEMO_PASSWORD}
    )
    assert token.status_code == 201
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    agreements = client.get("/api/v1/agreements", headers=headers)
    assert agreements.status_code == 200 and agreements.json["total"] > 0
    verify = client.get("/api/v1/audit/verify", headers=headers)
    assert verify.json["ok"] is True and verify.json["events"] > 0


def test_seed_demo_refuses_a_second_run(app, runner):
    assert runner.invoke(args=["registry", "seed-demo"]).exit_code == 0
    users, events = count(app, User), count(app, AuditEvent)
    result = runner.invoke(args=["registry", "seed-demo"])
    assert result.exit_code == 1, result.output
    assert "not empty" in result.output
    assert (count(app, User), count(app, AuditEvent)) == (users, events)


def test_seed_demo_if_empty_skips_quietly(app, runner):
    assert runner.invoke(args=["registry", "seed-demo", "--if-empty"]).exit_code == 0
    users = count(app, User)
    result = runner.invoke(args=["registry", "seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "no demo data was loaded" in result.output
    assert "admin@demo.example" in result.output
    assert count(app, User) == users


def test_seed_demo_refuses_a_database_with_real_data(app, runner, world):
    result = runner.invoke(args=["registry", "seed-demo"])
    assert result.exit_code == 1, result.output
    assert "not empty" in result.output
    assert "demo.example" not in result.output
    assert count(app, User) == len(world.users)


def test_seed_demo_refuses_the_production_configuration(database_url):
    production = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, PRODUCTION=True)
    try:
        for args in (["seed-demo"], ["seed-demo", "--if-empty"]):
            result = production.test_cli_runner().invoke(args=["registry", *args])
            assert result.exit_code == 1, result.output
            assert "production" in result.output
        assert count(production, User) == 0
        assert count(production, Agency) == 0
    finally:
        with production.app_context():
            db.engine.dispose()


# --- audit-verify ----------------------------------------------------------------------


def _tamper(app, statement: str) -> None:
    """Run `statement` on audit_events with the append-only trigger out of the way."""
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            if dialect == "postgresql":
                # One transaction: the guard is back (and the test database, which outlives
                # this test, keeps it) whether or not the statement succeeds.
                conn.execute(
                    text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
                )
                conn.execute(text(statement))
                conn.execute(
                    text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
                )
            else:
                conn.execute(text("DROP TRIGGER audit_events_no_update"))
                conn.execute(text("DROP TRIGGER audit_events_no_delete"))
                conn.execute(text(statement))


def test_the_audit_trail_is_append_only(app, world):
    with app.app_context(), db.engine.connect() as conn:
        for statement in (
            "UPDATE audit_events SET action = 'x' WHERE seq = 1",
            "DELETE FROM audit_events WHERE seq = 1",
        ):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()


def test_audit_verify_passes_on_an_intact_trail(app, runner, world):
    result = runner.invoke(args=["registry", "audit-verify"])
    assert result.exit_code == 0, result.output
    events = count(app, AuditEvent)
    assert events > 0
    assert f"Audit trail intact: {events} events." in result.output
    with app.app_context():
        last_hash = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == events))
    assert f"Last event's hash: {last_hash}" in result.output


def test_audit_verify_checks_a_kept_anchor(app, runner, world):
    events = count(app, AuditEvent)
    with app.app_context():
        kept = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == events))
    args = ["registry", "audit-verify", "--events", str(events), "--last-hash"]
    result = runner.invoke(args=[*args, kept])
    assert result.exit_code == 0, result.output
    assert f"It still holds event {events} with the hash kept." in result.output
    result = runner.invoke(args=[*args, "f" * 64])
    assert result.exit_code == 1
    assert f"event {events} no longer has the hash kept" in result.output
    assert "BROKEN at event" not in result.output  # every link fits: only the anchor differs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--events", "3"], "--last-hash: Give the last hash with the event number."),
        (["--last-hash", "0" * 64], "--events: Give the event number with the last hash."),
        (["--events", "3", "--last-hash", "x"], "--last-hash: Must be 64 hexadecimal digits."),
    ],
)
def test_audit_verify_names_a_malformed_anchor(app, runner, world, args, message):
    result = runner.invoke(args=["registry", "audit-verify", *args])
    assert result.exit_code == 1
    assert message in result.output


def test_audit_verify_passes_on_an_empty_trail(app, runner):
    result = runner.invoke(args=["registry", "audit-verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 0 events" in result.output
    assert "hash" not in result.output


@pytest.mark.parametrize(
    ("statement", "broken"),
    [
        ("UPDATE audit_events SET action = 'user.delete' WHERE seq = 3", 3),
        ("UPDATE audit_events SET actor_id = (SELECT MAX(id) FROM users) WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 4", 4),
        ("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)", None),
    ],
    ids=["changed action", "changed actor", "removed row", "removed last row"],
)
def test_audit_verify_fails_after_tampering(app, client, runner, world, statement, broken):
    events = count(app, AuditEvent)
    _tamper(app, statement)
    result = runner.invoke(args=["registry", "audit-verify"])
    assert result.exit_code == 1, result.output
    expected = broken if broken is not None else events
    assert f"BROKEN at event {expected}" in result.output
    body = client.get("/api/v1/audit/verify", headers=world.headers("auditor")).json
    assert body["ok"] is False
    assert body["first_broken"] == expected
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            enabled = db.session.scalar(
                text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_events_append_only'")
            )
            assert enabled == "O"  # the guard is back for the next test


# --- configuration ---------------------------------------------------------------------


def _production(**keys):
    return type("Production", (ProductionConfig,), keys)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"SECRET_KEY": None, "SUBJECT_KEY": None}, "SECRET_KEY and SUBJECT_KEY"),
        ({"SECRET_KEY": None, "SUBJECT_KEY": "s"}, "needs SECRET_KEY to be set"),
        ({"SECRET_KEY": "k", "SUBJECT_KEY": None}, "needs SUBJECT_KEY to be set"),
        ({"SECRET_KEY": "", "SUBJECT_KEY": "s"}, "SECRET_KEY"),
        ({"SECRET_KEY": "same", "SUBJECT_KEY": "same"}, "SUBJECT_KEY must differ"),
    ],
)
def test_production_config_refuses_to_start_without_its_keys(keys, message):
    config = _production(**keys)
    with pytest.raises(RuntimeError, match=message):
        config.validate()
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


def test_production_config_with_its_keys_starts(tmp_path):
    config = _production(
        SECRET_KEY="k" * 32,
        SUBJECT_KEY="s" * 32,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/prod.sqlite3",
        SQLALCHEMY_ENGINE_OPTIONS={},
    )
    config.validate()
    app = create_app(config)
    assert app.config["PRODUCTION"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.engine.dispose()


def _flask(*args, **env_overrides):
    unset = ("SECRET_KEY", "SUBJECT_KEY", "REGISTRY_CONFIG")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_default_configuration_is_production_and_refuses_to_start(tmp_path):
    result = _flask("registry", "audit-verify", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    assert result.returncode != 0
    assert "The production configuration needs SECRET_KEY and SUBJECT_KEY" in result.stderr


def test_an_unknown_configuration_name_is_refused(tmp_path):
    result = _flask("registry", "audit-verify", REGISTRY_CONFIG="staging")
    assert result.returncode != 0
    assert "REGISTRY_CONFIG must be one of" in result.stderr
