"""Change stamps: random numbers that triggers replace on every write to the watched tables.

Processes cache what a check reads that rarely changes (agencies, agreements, tokens and
users) and use it only while the stamp they read it under is still current. The triggers
fire on every write, whoever makes it; PostgreSQL runs them once per statement, SQLite once
per row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: Frozen copy of registry.models.change_stamp.WATCHED_TABLES as of this revision.
WATCHED_TABLES = {
    'facts': (
        'agencies',
        'agreements',
        'agreement_versions',
        'agreement_parties',
        'signatures',
        'agreement_events',
    ),
    'principals': ('agencies', 'users', 'api_tokens'),
}
ACTIONS = ('insert', 'update', 'delete')


def upgrade():
    op.create_table(
        'change_stamps',
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_change_stamps')),
    )
    for name in WATCHED_TABLES:
        op.execute(f"INSERT INTO change_stamps (name, stamp) VALUES ('{name}', 0)")
    if op.get_bind().dialect.name == 'postgresql':
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, tables in WATCHED_TABLES.items():
            for table in tables:
                op.execute(f'DROP TRIGGER IF EXISTS {table}_stamp_{name} ON {table}')
            op.execute(f'DROP FUNCTION IF EXISTS registry_stamp_{name}()')
    else:
        for name, tables in WATCHED_TABLES.items():
            for table in tables:
                for action in ACTIONS:
                    op.execute(f'DROP TRIGGER IF EXISTS {table}_{action}_stamp_{name}')
    op.drop_table('change_stamps')


def _create_postgresql_triggers():
    for name, tables in WATCHED_TABLES.items():
        op.execute(
            f'CREATE FUNCTION registry_stamp_{name}() RETURNS trigger AS $$ BEGIN '
            "UPDATE change_stamps SET stamp = floor(random() * 9.2e18)::bigint "
            f"WHERE name = '{name}'; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in tables:
            op.execute(
                f'CREATE TRIGGER {table}_stamp_{name} '
                f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} '
                f'FOR EACH STATEMENT EXECUTE FUNCTION registry_stamp_{name}()'
            )


def _create_sqlite_triggers():
    for name, tables in WATCHED_TABLES.items():
        for table in tables:
            for action in ACTIONS:
                op.execute(
                    f'CREATE TRIGGER {table}_{action}_stamp_{name} AFTER {action.upper()} '
                    f"ON {table} BEGIN UPDATE change_stamps SET stamp = random() "
                    f"WHERE name = '{name}'; END"
                )
