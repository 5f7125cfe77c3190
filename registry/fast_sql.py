"""Run a few fixed, hot statements straight on the driver's cursor.

A share check runs the same handful of statements every time (the change stamps, the
person's consent records, the check row, the audit chain's head and event). SQLAlchemy's
per-execution machinery (an execution context, a result object, parameter handling) costs
about 20 µs a statement on top of the driver's 4 µs on SQLite, a seventh of a whole check
(docs/performance.md). For such statements `FastStatement` keeps what SQLAlchemy is for here
(the statement is written and compiled by SQLAlchemy, once per dialect, and values go through
the column types' own bind and result processing) and hands the compiled SQL to the driver
itself, on the session's connection and inside its transaction.

What it keeps of the usual path: the engine's `before_cursor_execute` and
`after_cursor_execute` listeners run (registry.fact_cache relies on them), and driver errors
are raised as SQLAlchemy's exceptions (an `IntegrityError` is still a 409). What it drops:
SQL echo logging, and noticing a dropped connection itself: the session's rollback after the
error notices it and discards the connection (tests/test_database.py).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: Bind names in the order a positional driver (SQLite's qmark) wants; None when named.
    positions: tuple[str, ...] | None
    defaults: dict[str, object]
    bind_processors: tuple[tuple[str, Callable], ...]
    #: None when no column needs processing: the driver's rows are then returned as they are.
    result_processors: tuple[Callable | None, ...] | None


class FastStatement:
    """A SQLAlchemy statement, compiled once per dialect and executed on the DB-API cursor.

    `columns` names the values an INSERT is given (all of them, every time), as for
    `Insert.compile(column_keys=...)`.
    """

    def __init__(self, statement: Executable, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._columns = list(columns) if columns is not None else None
        self._by_dialect: dict[tuple, _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping | None = None) -> list[tuple]:
        """Execute once; the rows it returns (if any), with the columns' types applied."""
        compiled = self._compiled(connection.dialect)
        cursor = self._run(connection, compiled, self._parameters(compiled, params), many=False)
        try:
            if cursor.description is None:
                return []
            rows = cursor.fetchall()
            if compiled.result_processors is None:
                return rows
            return [_processed(row, compiled.result_processors) for row in rows]
        finally:
            cursor.close()

    def execute_many(self, connection: Connection, rows: Iterable[Mapping]) -> None:
        """Execute once per parameter set (no result)."""
        compiled = self._compiled(connection.dialect)
        batch = [self._parameters(compiled, row) for row in rows]
        if len(batch) == 1:  # the usual case, and the drivers' executemany costs more
            self._run(connection, compiled, batch[0], many=False).close()
        else:
            self._run(connection, compiled, batch, many=True).close()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        # Keyed by the dialect's class and parameter style: one database's drivers differ.
        key = (type(dialect), dialect.paramstyle)
        found = self._by_dialect.get(key)
        if found is None:
            found = self._by_dialect[key] = _compile(self.statement, dialect, self._columns)
        return found

    @staticmethod
    def _parameters(compiled: _Compiled, params: Mapping | None):
        values = {**compiled.defaults, **params} if params else dict(compiled.defaults)
        for name, process in compiled.bind_processors:
            value = values[name]
            if value is not None:
                values[name] = process(value)
        if compiled.positions is None:
            return values
        return tuple(values[name] for name in compiled.positions)

    @staticmethod
    def _run(connection: Connection, compiled: _Compiled, parameters, many: bool):
        cursor = connection.connection.dbapi_connection.cursor()
        dispatch = connection.dispatch
        dispatch.before_cursor_execute(connection, cursor, compiled.sql, parameters, None, many)
        try:
            if many:
                cursor.executemany(compiled.sql, parameters)
            else:
                cursor.execute(compiled.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as err:
            cursor.close()
            raise DBAPIError.instance(
                compiled.sql,
                parameters,
                err,
                connection.dialect.loaded_dbapi.Error,
                dialect=connection.dialect,
            ) from err
        dispatch.after_cursor_execute(connection, cursor, compiled.sql, parameters, None, many)
        return cursor


def _compile(statement: Executable, dialect: Dialect, columns: list[str] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    binds = compiled.binds
    processors = []
    for name, bind in binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((name, process))
    returned = getattr(statement, "exported_columns", ())
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
    )
    return _Compiled(
        sql=compiled.string,
        positions=tuple(compiled.positiontup) if compiled.positional else None,
        defaults={name: bind.value for name, bind in binds.items() if bind.value is not None},
        bind_processors=tuple(processors),
        result_processors=results if any(results) else None,
    )


def _processed(row: tuple, processors: tuple[Callable | None, ...]) -> tuple:
    return tuple(
        value if process is None or value is None else process(value)
        for process, value in zip(processors, row, strict=True)
    )
