"""Writing rows fast on either database."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

CHUNK = 50_000


class BulkWriter:
    """Bulk inserts on one raw DBAPI connection, with per-dialect value conversion."""

    def __init__(self, engine):
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        self.rows_written = 0
        if self.dialect == "sqlite":
            self.cursor.execute("PRAGMA cache_size = -262144")  # 256 MB while loading
            self.cursor.execute("PRAGMA synchronous = OFF")
            self.ts, self.d, self.b = _sqlite_ts, _sqlite_date, int
        else:
            self.ts, self.d, self.b = _same, _same, _same

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - fixed names
                rows,
            )
        else:
            with self.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        self.rows_written += len(rows)

    def execute(self, sql: str, params: Sequence = ()) -> None:
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        self.cursor.execute(sql, params)

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        if self.dialect == "sqlite":
            self.cursor.execute("PRAGMA synchronous = NORMAL")
        self.cursor.close()
        self.raw.close()


def _sqlite_ts(value: datetime) -> str:
    # SQLAlchemy's SQLite DateTime format, in UTC (UTCDateTime reads it back as UTC).
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _same(value):
    return value


def _j(value) -> str:
    return json.dumps(value, separators=(",", ":"))
