"""Log what each change of the `facts` stamp touched, so processes drop only what it touched.

Until now every write to an agency or agreement table replaced the single `facts` stamp, and
every process then dropped all the facts it kept. At national size such writes come every
few seconds, so most checks read their facts afresh (docs/performance.md, item 46). From
here the `facts` stamp also counts its changes (`change_stamps.seq`), and the triggers log
what each change touched in `fact_changes`: one row per agreement, with the agency when the
write was to an agreement's parties, or a row naming no agreement when it may touch anything
(a write to `agencies`, a TRUNCATE, a party whose version is gone). Each row carries the
change's number and the random stamp it set. The log keeps the last 10,000 changes. A
PostgreSQL statement that touches more than 1,000 rows (a bulk load) logs one row that
touches anything, which is what a reader would make of so many.

SQLite runs these triggers once per row, PostgreSQL once per statement over its transition
tables. On PostgreSQL the stamp row's lock orders the changes: a change's number is taken
under it, so changes commit in number order and a reader that sees number N sees every
change up to N. The `principals` stamp and its triggers (0003) are unchanged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 23:40:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Frozen copy of registry.models.change_stamp.FACT_CHANGES_KEPT as of this revision.
KEPT = 10_000
#: Past this many rows a PostgreSQL statement's change is logged as touching anything
#: (frozen copy of registry.fact_changes.ROWS_READ, past which a reader drops everything).
MANY = 1_000
ACTIONS = ("insert", "update", "delete")
PG_NULL = "NULL::integer"
_VERSION_AGREEMENT = "(SELECT v.agreement_id FROM agreement_versions v WHERE v.id = {r}.version_id)"
#: Per watched table: what a changed row `{r}` touched, as (agreement id, agency id).
#: `{null}` is a NULL of the columns' type (PostgreSQL wants it typed).
TOUCHED = {
    "agencies": ("{null}", "{null}"),
    "agreements": ("{r}.id", "{null}"),
    "agreement_versions": ("{r}.agreement_id", "{null}"),
    "agreement_events": ("{r}.agreement_id", "{null}"),
    "agreement_parties": (_VERSION_AGREEMENT, "{r}.agency_id"),
    "signatures": (_VERSION_AGREEMENT, "{null}"),
}
#: Frozen copy of 0003's triggers for the `facts` stamp, for the downgrade.
OLD_PG_FUNCTION = (
    "CREATE FUNCTION registry_stamp_facts() RETURNS trigger AS $$ BEGIN "
    "UPDATE change_stamps SET stamp = floor(random() * 9.2e18)::bigint "
    "WHERE name = 'facts'; RETURN NULL; END $$ LANGUAGE plpgsql"
)


def upgrade():
    op.add_column(
        "change_stamps", sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_table(
        "fact_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_changes")),
    )
    op.create_index(op.f("ix_fact_changes_seq"), "fact_changes", ["seq"], unique=False)
    # The change a process starts from: a reader finds it, so the next change is read, not
    # taken for a gap in the log.
    op.execute(
        "INSERT INTO fact_changes (seq, stamp) SELECT seq, stamp FROM change_stamps "
        "WHERE name = 'facts'"
    )
    if op.get_bind().dialect.name == "postgresql":
        _replace_postgresql_triggers()
    else:
        _replace_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TOUCHED:
            for action in (*ACTIONS, "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{action}_log_facts ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS registry_log_facts_{table}_{action}()")
        op.execute(OLD_PG_FUNCTION)
        for table in TOUCHED:
            op.execute(
                f"CREATE TRIGGER {table}_stamp_facts "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registry_stamp_facts()"
            )
    else:
        for table in TOUCHED:
            for action in ACTIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{action}_log_facts")
                op.execute(
                    f"CREATE TRIGGER {table}_{action}_stamp_facts AFTER {action.upper()} "
                    f"ON {table} BEGIN UPDATE change_stamps SET stamp = random() "
                    "WHERE name = 'facts'; END"
                )
    op.drop_index(op.f("ix_fact_changes_seq"), table_name="fact_changes")
    op.drop_table("fact_changes")
    # Not a batch operation: SQLite's copy-and-rename would trip over the triggers that name
    # the table. Both databases drop a column in place (SQLite since 3.35).
    op.execute("ALTER TABLE change_stamps DROP COLUMN seq")


def _touched(table: str, row: str, null: str = "NULL") -> str:
    """A SELECT of what the row `row` of `table` touched: (agreement_id, agency_id)."""
    agreement, agency = (part.format(r=row, null=null) for part in TOUCHED[table])
    return f"SELECT {agreement} AS agreement_id, {agency} AS agency_id"


def _replace_sqlite_triggers():
    next_change = (
        "UPDATE change_stamps SET stamp = random(), seq = seq + 1 WHERE name = 'facts'; "
        "INSERT INTO fact_changes (seq, stamp, agreement_id, agency_id) "
        "SELECT s.seq, s.stamp, t.agreement_id, t.agency_id FROM change_stamps s, ({rows}) t "
        "WHERE s.name = 'facts'; "
        "DELETE FROM fact_changes WHERE seq <= "
        f"(SELECT seq FROM change_stamps WHERE name = 'facts') - {KEPT};"
    )
    for table in TOUCHED:
        for action in ACTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{action}_stamp_facts")
            rows = {
                "insert": _touched(table, "NEW"),
                "update": f"{_touched(table, 'NEW')} UNION {_touched(table, 'OLD')}",
                "delete": _touched(table, "OLD"),
            }[action]
            op.execute(
                f"CREATE TRIGGER {table}_{action}_log_facts AFTER {action.upper()} ON {table} "
                f"BEGIN {next_change.format(rows=rows)} END"
            )


def _replace_postgresql_triggers():
    for table in TOUCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_facts ON {table}")
    op.execute("DROP FUNCTION IF EXISTS registry_stamp_facts()")
    for table in TOUCHED:
        for action in ACTIONS:
            # An UPDATE's old rows matter too: it may move a party to another agency.
            changed = {"insert": ["new_rows"], "update": ["new_rows", "old_rows"]}.get(
                action, ["old_rows"]
            )
            rows = " UNION ".join(
                f"SELECT t.* FROM {name} r, LATERAL ({_touched(table, 'r', PG_NULL)}) t"
                for name in changed
            )
            _postgresql_trigger(table, action, f"PERFORM 1 FROM {changed[0]} LIMIT 1", rows)
        _postgresql_trigger(table, "truncate", None, f"SELECT {PG_NULL}, {PG_NULL}")


def _postgresql_trigger(table: str, action: str, any_rows: str | None, rows: str) -> None:
    """A statement trigger that logs one change for the statement, unless it changed no row."""
    function = f"registry_log_facts_{table}_{action}"
    skip_empty = f"{any_rows}; IF NOT FOUND THEN RETURN NULL; END IF; " if any_rows else ""
    op.execute(
        f"CREATE FUNCTION {function}() RETURNS trigger AS $$ "
        "DECLARE change bigint; new_stamp bigint; BEGIN "
        f"{skip_empty}"
        "UPDATE change_stamps SET stamp = floor(random() * 9.2e18)::bigint, seq = seq + 1 "
        "WHERE name = 'facts' RETURNING seq, stamp INTO change, new_stamp; "
        "IF NOT FOUND THEN RETURN NULL; END IF; "
        f"WITH touched AS (SELECT DISTINCT * FROM ({rows}) t (agreement_id, agency_id)), "
        f"many AS (SELECT count(*) > {MANY} AS yes FROM touched) "
        "INSERT INTO fact_changes (seq, stamp, agreement_id, agency_id) "
        "SELECT change, new_stamp, agreement_id, agency_id FROM touched, many WHERE NOT yes "
        "UNION ALL SELECT change, new_stamp, NULL, NULL FROM many WHERE yes; "
        f"DELETE FROM fact_changes WHERE seq <= change - {KEPT}; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    referencing = {
        "insert": "REFERENCING NEW TABLE AS new_rows ",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows ",
        "delete": "REFERENCING OLD TABLE AS old_rows ",
        "truncate": "",
    }[action]
    op.execute(
        f"CREATE TRIGGER {table}_{action}_log_facts AFTER {action.upper()} ON {table} "
        f"{referencing}FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
