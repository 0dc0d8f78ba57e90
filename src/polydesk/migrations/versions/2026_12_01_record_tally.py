"""record tally, due-date index

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:00:00.000000

``record_tally`` counts records per kind and status (spread over shards, see
``polydesk.models.tally``) so that list totals need no count over ``record``. The upgrade
fills it from the records already there. ``ix_record_due_date_id`` serves lists ordered by due
date (GoToAssist's default order), which otherwise sort every record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_tally",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "status_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("kind", "status_id", "shard", name=op.f("pk_record_tally")),
    )
    op.execute(
        "INSERT INTO record_tally (kind, status_id, shard, count) "
        "SELECT kind, status_id, 0, count(*) FROM record GROUP BY kind, status_id"
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index("ix_record_due_date_id", ["due_date", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index("ix_record_due_date_id")
    op.drop_table("record_tally")
