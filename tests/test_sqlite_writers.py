"""SQLite writers take turns on the writer lock file; readers never wait for it."""

import fcntl
import gc
import os
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from config import TestingConfig
from registry import create_app
from registry.extensions import db
from registry.sqlite_writers import QueuedWriterConnection, lock_path
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file only")


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "queue.sqlite3")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.commit()
    setup.close()
    return path


def _connect(path: str, timeout: float = 5.0) -> QueuedWriterConnection:
    return sqlite3.connect(
        path, timeout=timeout, factory=QueuedWriterConnection, check_same_thread=False
    )


def _lock_is_taken(path: str) -> bool:
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_writer_holds_the_lock_until_its_transaction_ends(database):
    writer = _connect(database)
    assert not _lock_is_taken(database)
    writer.execute("INSERT INTO t VALUES (1)")
    assert _lock_is_taken(database)
    writer.execute("SELECT count(*) FROM t").fetchone()
    assert _lock_is_taken(database)
    writer.commit()
    assert not _lock_is_taken(database)

    writer.execute("UPDATE t SET x = 2")
    assert _lock_is_taken(database)
    writer.rollback()
    assert not _lock_is_taken(database)
    writer.close()


def test_reads_and_statements_outside_a_transaction_do_not_keep_it(database):
    writer = _connect(database)
    other = _connect(database)
    writer.execute("INSERT INTO t VALUES (1)")
    # A reader is not queued behind the writer: it sees the last committed state at once.
    assert other.execute("SELECT count(*) FROM t").fetchone() == (0,)
    writer.commit()
    # DDL runs outside a transaction here: the lock is taken for it and given back.
    other.execute("CREATE TABLE u (y INTEGER)")
    assert not _lock_is_taken(database)
    writer.close()
    other.close()


def test_a_second_writer_waits_for_the_first_to_commit(database):
    first, second = _connect(database), _connect(database)
    first.execute("INSERT INTO t VALUES (1)")
    order = []

    def write_second():
        second.execute("INSERT INTO t VALUES (2)")
        order.append("second wrote")
        second.commit()

    thread = threading.Thread(target=write_second)
    thread.start()
    time.sleep(0.05)
    assert order == []  # still waiting for its turn
    order.append("first commits")
    first.commit()
    thread.join(timeout=5)
    assert order == ["first commits", "second wrote"]
    assert first.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]
    first.close()
    second.close()


def test_a_writer_waits_for_the_lock_file_itself(database):
    # Only the file lock is taken (SQLite's own lock is free): without the queue the writer
    # would write at once.
    writer, wrote = _connect(database), threading.Event()

    def write():
        writer.execute("INSERT INTO t VALUES (1)")
        wrote.set()
        writer.commit()

    with _holding_lock_file(database):
        thread = threading.Thread(target=write)
        thread.start()
        assert not wrote.wait(0.1)
    assert wrote.wait(5)
    thread.join(timeout=5)
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (1,)
    writer.close()


def test_a_writer_gives_up_after_its_timeout_like_sqlite_does(database):
    writer = _connect(database, timeout=0.2)
    with _holding_lock_file(database):
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            writer.execute("INSERT INTO t VALUES (1)")
        assert 0.2 <= time.monotonic() - started < 2
    writer.execute("INSERT INTO t VALUES (1)")  # its turn now
    writer.commit()
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (1,)
    writer.close()


@contextmanager
def _holding_lock_file(path: str):
    fd = os.open(lock_path(path), os.O_RDONLY | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def test_closing_a_connection_gives_the_lock_back(database):
    writer = _connect(database)
    writer.execute("INSERT INTO t VALUES (1)")
    writer.close()
    assert not _lock_is_taken(database)


def test_a_connection_dropped_without_close_gives_back_its_lock_and_descriptor(database):
    open_before = len(os.listdir("/proc/self/fd"))
    writer = _connect(database)
    writer.execute("INSERT INTO t VALUES (1)")
    del writer
    gc.collect()
    assert not _lock_is_taken(database)
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_the_lock_file_gets_the_database_permissions(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    sqlite3.connect(path).close()
    os.chmod(path, 0o640)
    _connect(path).close()
    assert os.stat(lock_path(path)).st_mode & 0o777 == 0o640 & ~_umask()


def test_a_lock_file_that_cannot_be_opened_leaves_plain_sqlite_locking(database, caplog):
    os.mkdir(lock_path(database))  # a directory cannot be opened as the lock file
    writer = _connect(database)
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (1,)
    writer.close()
    assert "will not queue" in caplog.text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_app_queues_its_sqlite_file_writers(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        connection = db.session.connection()
        assert isinstance(connection.connection.dbapi_connection, QueuedWriterConnection)
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        db.session.rollback()
        db.engine.dispose()
