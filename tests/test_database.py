"""The app's SQLite connections: durable enough, and reading without a memory map."""

import pytest
from sqlalchemy import text

from config import TestingConfig
from registry import create_app
from registry.database import SQLITE_CACHE_KIB
from registry.extensions import db
from tests.conftest import ON_POSTGRES


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
