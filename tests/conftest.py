"""Fixtures: a migrated database per test (SQLite file copy or PostgreSQL truncate), app, client.

Set DATABASE_URL to a PostgreSQL URL to run the suite there: the session creates its own
throwaway database on that server, so parallel runs do not collide.
"""

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from registry import create_app
from registry.extensions import db
from tests import helpers

BASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgres")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database: a SQLite file to copy, or a PostgreSQL database to truncate."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield str(path)
        return
    server = make_url(BASE_URL).set(drivername="postgresql+psycopg")
    name = f"registry_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if not ON_POSTGRES:
        path = tmp_path / "registry.sqlite3"
        shutil.copy(database_template, path)
        return f"sqlite:///{path}"
    engine = create_engine(database_template)
    with engine.begin() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables if t != "alembic_version")
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
        conn.execute(
            text("INSERT INTO change_stamps (name, stamp) VALUES ('facts', 0), ('principals', 0)")
        )
        conn.execute(text("INSERT INTO fact_changes (seq, stamp) VALUES (0, 0)"))
        conn.execute(text("INSERT INTO crash_sentinel (id) VALUES (1)"))
    engine.dispose()
    return database_template


@pytest.fixture
def app(database_url):
    # No app context stays pushed: each test-client request gets its own, as in production
    # (flask-login caches the user on `g`, which lives as long as the app context).
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """A small registry: agencies of several sectors and a user of each role for each."""
    with app.app_context():
        return helpers.World.build()
