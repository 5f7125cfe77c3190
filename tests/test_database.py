"""The app's connections: SQLite's durable enough and reading without a memory map;
PostgreSQL's pinged before use when they have sat idle."""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from config import TestingConfig
from registry import create_app
from registry.database import SQLITE_CACHE_KIB
from registry.extensions import db
from tests.conftest import ON_POSTGRES
from tests.helpers import World


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite connection settings")
def test_sqlite_connections_are_durable_and_do_not_map_the_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        connection = db.session.connection()

        def pragma(name: str):
            return connection.execute(text(f"PRAGMA {name}")).scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("foreign_keys") == 1
        # Several processes write to one file; SQLite unmaps it whenever another has written.
        assert pragma("mmap_size") == 0
        assert pragma("cache_size") == -SQLITE_CACHE_KIB
        db.session.rollback()
        db.engine.dispose()


# --- PostgreSQL: a pooled connection is pinged before use only after sitting idle ---------

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's pooled connections")


@pytest.fixture
def pinging_app(database_url, request):
    idle = request.param
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, DB_POOL_PING_AFTER_IDLE=idle
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def _pings(app, monkeypatch) -> list:
    """Count the pings the app's dialect sends."""
    pings = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(conn) or real(conn))
    return pings


def _backend_of_the_pooled_connection(app) -> int:
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.rollback()
    return pid


def _terminate(database_url: str, pid: int) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        for _ in range(100):
            alive = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
            if not alive:
                break
            time.sleep(0.02)
    engine.dispose()


@on_postgres
@pytest.mark.parametrize("pinging_app", [10.0], indirect=True)
def test_a_connection_used_moments_ago_is_not_pinged_one_left_idle_is(pinging_app, monkeypatch):
    pings = _pings(pinging_app, monkeypatch)
    client = pinging_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert pings == []
    later = time.monotonic() + 11
    monkeypatch.setattr("registry.database.time.monotonic", lambda: later)
    assert client.get("/healthz").status_code == 200
    assert len(pings) == 1


@on_postgres
@pytest.mark.parametrize("pinging_app", [0.0], indirect=True)
def test_a_dead_idle_connection_is_replaced_before_it_is_used(pinging_app, database_url):
    pid = _backend_of_the_pooled_connection(pinging_app)
    _terminate(database_url, pid)
    client = pinging_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert _backend_of_the_pooled_connection(pinging_app) != pid


@on_postgres
@pytest.mark.parametrize("pinging_app", [3600.0], indirect=True)
def test_a_connection_that_died_while_in_use_fails_one_request_then_is_replaced(
    pinging_app, database_url
):
    with pinging_app.app_context():
        world = World.build()
    client = pinging_app.test_client()
    _terminate(database_url, _backend_of_the_pooled_connection(pinging_app))
    # Found dead by healthz's query (SQLAlchemy's own execution path).
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200
    # Found dead by the change stamps, an API request's first query (registry/fast_sql.py).
    pid = _backend_of_the_pooled_connection(pinging_app)
    _terminate(database_url, pid)
    with pytest.raises(OperationalError):
        client.get("/api/v1/agencies", headers=world.headers("admin"))
    assert client.get("/api/v1/agencies", headers=world.headers("admin")).status_code == 200
    assert _backend_of_the_pooled_connection(pinging_app) != pid


@on_postgres
def test_no_pings_at_all_when_pre_ping_is_off(database_url, monkeypatch):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        DB_POOL_PRE_PING=False,
        DB_POOL_PING_AFTER_IDLE=0.0,
    )
    pings = _pings(app, monkeypatch)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert pings == []
    with app.app_context():
        db.engine.dispose()
