"""On SQLite, make audit_events.seq the table's rowid (INTEGER PRIMARY KEY).

Declared BIGINT, the primary key was a separate index beside the table's own rowid B-tree,
so every appended event wrote both. SQLite's INTEGER is 64-bit, so nothing is narrowed.
SQLite cannot change a column's type in place: the table is rebuilt (rows copied as they
are, so every hash still verifies) and its append-only triggers are created again.
PostgreSQL keeps BIGINT; nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    _retype_seq(sa.BigInteger(), sa.Integer())


def downgrade():
    _retype_seq(sa.Integer(), sa.BigInteger())


def _retype_seq(old, new):
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('audit_events', recreate='always') as batch_op:
        batch_op.alter_column('seq', existing_type=old, type_=new, existing_nullable=False)
    # Rebuilding the table dropped its triggers (revision 0001's, recreated as they were).
    for action in ('UPDATE', 'DELETE'):
        op.execute(
            f'CREATE TRIGGER audit_events_no_{action.lower()} BEFORE {action} ON audit_events '
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
