"""Add the foreign key agreements.current_version_id -> agreement_versions.id on PostgreSQL.

Revision 0001 declared it with use_alter=True inside create_table, which renders it inline
on SQLite but leaves it out on databases that support ALTER, where nothing added it later.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

NAME = 'fk_agreements_current_version_id_agreement_versions'


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return  # created inline by 0001
    op.create_foreign_key(
        NAME, 'agreements', 'agreement_versions', ['current_version_id'], ['id']
    )


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.drop_constraint(NAME, 'agreements', type_='foreignkey')
