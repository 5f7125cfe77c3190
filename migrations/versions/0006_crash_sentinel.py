"""The crash sentinel: an UNLOGGED one-row table on PostgreSQL that only a crash empties.

With ASYNC_CHECK_COMMIT on, a crash can lose the last checks committed without waiting for
the disk, and their ids can come out of the sequence again. A missing sentinel row tells
the next connection to move the check id sequence on first (registry/async_commit.py).
The row is seeded here, so a new database does not look as if it had crashed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "crash_sentinel",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crash_sentinel")),
        prefixes=unlogged,
    )
    op.execute("INSERT INTO crash_sentinel (id) VALUES (1)")


def downgrade():
    op.drop_table("crash_sentinel")
