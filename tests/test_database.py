"""The app's SQLite connections: durable enough, and reading through a memory map."""

import pytest
from sqlalchemy import text

from config import TestingConfig
from registry import create_app
from registry.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite connection settings")
def test_sqlite_connections_map_as_much_as_sqlite_allows(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        connection = db.session.connection()

        def pragma(name: str):
            return connection.execute(text(f"PRAGMA {name}")).scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("foreign_keys") == 1
        # SQLite answers with the size it will map: the request, capped by its build.
        assert pragma("mmap_size") >= 0x7FFF0000
        db.session.rollback()
        db.engine.dispose()
