"""The migrations build exactly the schema the models describe, and go down and up again."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from config import TestingConfig
from registry import audit, create_app
from registry.extensions import db
from registry.models.change_stamp import WATCHED_TABLES
from tests.conftest import BASE_URL, ON_POSTGRES

APP_TABLES = {
    "agencies",
    "users",
    "api_tokens",
    "agreements",
    "agreement_versions",
    "agreement_parties",
    "signatures",
    "agreement_events",
    "consent_records",
    "share_checks",
    "share_decisions",
    "audit_events",
    "audit_head",
    "change_stamps",
    "fact_changes",
    "crash_sentinel",
}

#: Never updated or deleted: the database refuses it.
APPEND_ONLY = ("audit_events", "consent_records", "share_checks", "share_decisions")


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it, just for this test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = make_url(BASE_URL).set(drivername="postgresql+psycopg")
    name = f"registry_schema_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def schema_app(empty_database):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    yield app
    with app.app_context():
        db.engine.dispose()


def _diff(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_matches_the_models(schema_app):
    with schema_app.app_context():
        assert _tables(schema_app) == set()
        upgrade()
    assert _tables(schema_app) == APP_TABLES
    assert set(db.metadata.tables) == APP_TABLES
    assert _diff(schema_app) == []


def test_the_diff_would_see_a_missing_index(schema_app):
    """The comparison is not vacuous: drop an index and it is reported."""
    with schema_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_share_checks_checked_at"))
    diff = _diff(schema_app)
    assert [entry[0] for entry in diff] == ["add_index"]
    assert diff[0][1].name == "ix_share_checks_checked_at"


def test_upgrade_seeds_the_audit_head_and_append_only_triggers(schema_app):
    with schema_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            head = conn.execute(text("SELECT id, seq, last_hash FROM audit_head")).all()
            assert [tuple(row) for row in head] == [(1, 0, "0" * 64)]
            facts, principals = WATCHED_TABLES["facts"], WATCHED_TABLES["principals"]
            if ON_POSTGRES:
                triggers = conn.execute(
                    text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                ).scalars()
                expected = (
                    {f"{t}_append_only" for t in APPEND_ONLY}
                    | {f"{t}_stamp_principals" for t in principals}
                    | {
                        f"{t}_{a}_log_facts"
                        for t in facts
                        for a in ("insert", "update", "delete", "truncate")
                    }
                )
            else:
                triggers = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
                writes = ("insert", "update", "delete")
                expected = (
                    {f"{t}_no_{a}" for t in APPEND_ONLY for a in ("update", "delete")}
                    | {f"{t}_{a}_stamp_principals" for t in principals for a in writes}
                    | {f"{t}_{a}_log_facts" for t in facts for a in writes}
                )
            assert set(triggers) == expected
            stamps = conn.execute(text("SELECT name, stamp, seq FROM change_stamps")).all()
            assert sorted(tuple(row) for row in stamps) == [("facts", 0, 0), ("principals", 0, 0)]
            log = conn.execute(text("SELECT seq, stamp, agreement_id, agency_id FROM fact_changes"))
            assert [tuple(row) for row in log] == [(0, 0, None, None)]


def test_the_crash_sentinel_is_seeded_and_on_postgresql_unlogged(schema_app):
    """A new database must not look crashed, and only an unlogged table shows a crash."""
    with schema_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM crash_sentinel")).scalars().all() == [1]
            if ON_POSTGRES:
                persistence = conn.execute(
                    text("SELECT relpersistence FROM pg_class WHERE relname = 'crash_sentinel'")
                ).scalar_one()
                assert persistence == "u"


def test_downgrade_to_base_then_upgrade_again(schema_app):
    with schema_app.app_context():
        upgrade()
        downgrade(revision="base")
    assert _tables(schema_app) == set()
    with schema_app.app_context():
        upgrade()
    assert _tables(schema_app) == APP_TABLES
    assert _diff(schema_app) == []
    with schema_app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's rowid; PostgreSQL keeps a BIGINT key")
def test_audit_seq_is_the_sqlite_rowid(schema_app):
    with schema_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            indexes = {
                row.name: row.origin
                for row in conn.execute(text("PRAGMA index_list(audit_events)"))
            }
    # A primary key that is not the rowid shows up as an index of origin "pk"; the actor
    # index went in 0005. Every other B-tree here is one more page each event writes.
    assert indexes == {"ix_audit_events_at": "c", "ix_audit_events_subject": "c"}


def test_0004_keeps_the_chain_and_the_append_only_triggers(schema_app):
    with schema_app.app_context():
        upgrade(revision="0003")
        for n in range(3):
            audit.record("test.event", actor_id=None, details={"n": n})
            db.session.commit()
        upgrade()
        verification = audit.verify()
        assert (verification.ok, verification.events, verification.first_broken) == (True, 3, None)
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
        db.session.remove()
