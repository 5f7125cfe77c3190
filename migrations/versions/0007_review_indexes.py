"""Index agreement_versions.review_date and agreements.current_version_id.

The start page of an admin or auditor names the 50 agreements whose review is due soonest
and counts the rest up to a bound. With these two indexes it walks versions by review date
and finds the agreement each is in force for; without them each load sorted every agreement
due, 124,000 in a generated national registry (docs/performance.md, item 42).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 21:30:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_agreement_versions_review_date", "agreement_versions", ["review_date"], unique=False
    )
    op.create_index(
        "ix_agreements_current_version_id", "agreements", ["current_version_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_agreements_current_version_id", table_name="agreements")
    op.drop_index("ix_agreement_versions_review_date", table_name="agreement_versions")
