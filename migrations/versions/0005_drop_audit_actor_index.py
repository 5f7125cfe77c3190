"""Drop the index on audit_events.actor_id: no query reads it, and every event wrote it.

The audit trail is read by position (seq), by time (`at`) and by person (subject_hash, at);
no page, API or report looks events up by actor, and users are never deleted, so the
foreign key needs no index either. Every appended event (each check, each read of a
person's records) paid for one more B-tree.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_audit_events_actor_id", table_name="audit_events")


def downgrade():
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id"], unique=False)
