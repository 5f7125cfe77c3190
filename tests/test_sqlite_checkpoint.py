"""The background WAL checkpointer keeps a SQLite log short without blocking anyone."""

import sqlite3
import time

import pytest
from flask import Flask

from config import TestingConfig
from registry import create_app, sqlite_checkpoint
from tests.conftest import ON_POSTGRES


def _wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file only")
def test_it_checkpoints_what_was_written_and_stops(tmp_path):
    path = tmp_path / "wal.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # only the background thread checkpoints
    writer.execute("CREATE TABLE t (x TEXT)")
    writer.commit()
    checkpointer = sqlite_checkpoint.WalCheckpointer(str(path), interval=0.01).start()
    try:
        writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
        writer.commit()

        def all_copied() -> bool:
            result = checkpointer.last_result
            return result is not None and result[1] > 0 and result[1] == result[2]

        assert _wait_for(all_copied), checkpointer.last_result
        assert writer.execute("SELECT count(*) FROM t").fetchone() == (200,)
    finally:
        checkpointer.stop()
        writer.close()
    done = checkpointer.checkpoints
    time.sleep(0.05)
    assert checkpointer.checkpoints == done


@pytest.mark.skipif(ON_POSTGRES, reason="a SQLite file only")
def test_it_starts_for_a_sqlite_file_unless_turned_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    checkpointer = sqlite_checkpoint.start_for(
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    )
    try:
        assert checkpointer is not None
        assert checkpointer.path == str(tmp_path / "app.sqlite3")
    finally:
        checkpointer.stop()
    off = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLITE_CHECKPOINT_SECONDS=0)
    assert sqlite_checkpoint.start_for(off) is None


def test_it_does_not_start_for_other_databases():
    for url in ("sqlite:///:memory:", "postgresql+psycopg://postgres@127.0.0.1/test"):
        app = Flask(__name__)  # only the settings are read: no engine for this URL
        app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLITE_CHECKPOINT_SECONDS=0.1)
        assert sqlite_checkpoint.start_for(app) is None
