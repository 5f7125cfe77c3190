"""ASYNC_CHECK_COMMIT: checks commit without waiting for the disk; a crash cannot reuse ids.

On PostgreSQL a check's transaction runs with synchronous_commit off when the setting is on,
and no other transaction does. A crash (here: the unlogged sentinel emptied, as PostgreSQL
does after one) makes the next connection move the check ids on, once.
"""

import threading

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import config
from config import TestingConfig
from registry import async_commit, create_app
from registry.extensions import db
from registry.models import CrashSentinel, ShareCheck, User
from registry.services.checks import record_decision, run_batch, run_check
from tests.conftest import ON_POSTGRES
from tests.helpers import World, check_payload

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="synchronous_commit is PostgreSQL's")


@pytest.fixture
def async_app(database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, ASYNC_CHECK_COMMIT=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def _world(app) -> World:
    with app.app_context():
        return World.build()


def _commit_setting() -> str:
    return db.session.execute(text("SHOW synchronous_commit")).scalar_one()


def _practitioner(world: World) -> User:
    return db.session.get(User, world.users["prac_csc"])


@on_postgres
def test_a_check_commits_without_waiting_and_nothing_else_does(async_app):
    world = _world(async_app)
    with async_app.app_context():
        actor = _practitioner(world)
        assert _commit_setting() == "on"
        check = run_check(check_payload(), actor)
        assert _commit_setting() == "off"
        db.session.commit()
        # The next transaction, on the same pooled connection, waits again.
        record_decision(check.id, {"shared": False}, actor)
        assert _commit_setting() == "on"
        db.session.commit()
        run_batch([check_payload(subject=f"P-{i}") for i in range(3)], actor)
        assert _commit_setting() == "off"
        db.session.commit()


@on_postgres
def test_off_by_default(app, world):
    with app.app_context():
        run_check(check_payload(), _practitioner(world))
        assert _commit_setting() == "on"
        db.session.rollback()


def _check_id(app, world: World, subject: str) -> int:
    with app.app_context():
        check = run_check(check_payload(subject=subject), _practitioner(world))
        db.session.commit()
        return check.id


def _new_connections(app) -> None:
    with app.app_context():
        db.engine.dispose()


@on_postgres
def test_after_a_crash_the_next_connection_moves_check_ids_on_once(async_app):
    world = _world(async_app)
    first = _check_id(async_app, world, "A")
    _new_connections(async_app)
    # A clean reconnection: the sentinel is there, ids go on one by one.
    assert _check_id(async_app, world, "B") == first + 1

    with async_app.app_context():
        db.session.execute(text("TRUNCATE crash_sentinel"))  # what a crash does to it
        db.session.commit()
    _new_connections(async_app)
    after_crash = _check_id(async_app, world, "C")
    assert after_crash > first + 1 + async_commit.ID_GAP_AFTER_CRASH
    with async_app.app_context():
        assert db.session.scalars(select(CrashSentinel.id)).all() == [1]

    _new_connections(async_app)
    assert _check_id(async_app, world, "D") == after_crash + 1


@on_postgres
def test_only_one_of_many_connections_moves_the_ids(database_url):
    """Workers reconnecting at once after a crash move the sequence once, not once each."""
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE crash_sentinel"))
    barrier, moved = threading.Barrier(6), []

    def reconnect():
        raw = engine.raw_connection()
        try:
            barrier.wait(timeout=10)
            moved.append(async_commit.skip_ids_lost_in_a_crash(raw.driver_connection))
        finally:
            raw.close()

    threads = [threading.Thread(target=reconnect) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(moved) == 6
        assert [value for value in moved if value is not None] == [
            1 + async_commit.ID_GAP_AFTER_CRASH
        ]
    finally:
        engine.dispose()


@on_postgres
def test_before_migration_0006_checks_commit_synchronously(database_url, caplog):
    """`flask db upgrade` must run with the setting on, and nothing goes unguarded meanwhile."""
    admin = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text("ALTER TABLE crash_sentinel RENAME TO crash_sentinel_away"))
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, ASYNC_CHECK_COMMIT=True)
    try:
        world = _world(app)
        assert "needs migration 0006" in caplog.text
        with app.app_context():
            run_check(check_payload(), _practitioner(world))
            assert _commit_setting() == "on"
            db.session.rollback()
    finally:
        with app.app_context():
            db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text("ALTER TABLE crash_sentinel_away RENAME TO crash_sentinel"))
        admin.dispose()


def test_sqlite_ignores_the_setting(database_url, caplog):
    if ON_POSTGRES:
        pytest.skip("SQLite only")
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, ASYNC_CHECK_COMMIT=True)
    assert "PostgreSQL only" in caplog.text
    world = _world(app)
    assert _check_id(app, world, "A") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareCheck)) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("On", True), ("0", False), ("no", False), ("", False)],
)
def test_the_setting_reads_yes_or_no(monkeypatch, value, expected):
    monkeypatch.setenv("ASYNC_CHECK_COMMIT", value)
    assert config._flag("ASYNC_CHECK_COMMIT", default=False) is expected


def test_an_unclear_setting_is_refused(monkeypatch):
    monkeypatch.setenv("ASYNC_CHECK_COMMIT", "sometimes")
    with pytest.raises(RuntimeError, match="ASYNC_CHECK_COMMIT must be 1 or 0"):
        config._flag("ASYNC_CHECK_COMMIT", default=False)
