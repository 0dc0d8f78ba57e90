"""email as given

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 12:00:00.000000

E-mail addresses are kept as given. ``user_account.email_key`` (the address lower-cased) takes
over sign-in and uniqueness ignoring case; ``ix_record_submitter_email_key`` on
``lower(submitter_email)`` serves searches by requester e-mail, which still ignore case.
Revision 0001 stored every address lower-cased, so the backfill gives each key its address.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_key", sa.String(length=320), nullable=True))
    op.execute("UPDATE user_account SET email_key = lower(email)")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("email_key", existing_type=sa.String(length=320), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_email_key"), ["email_key"])
    op.create_index(
        "ix_record_submitter_email_key", "record", [sa.text("lower(submitter_email)")], unique=False
    )


def downgrade() -> None:
    # Revision 0001 looks addresses up lower-cased. The keys are unique, so they can become the
    # addresses again. cc_emails are only shown and de-duplicated, never looked up: left as is.
    op.drop_index("ix_record_submitter_email_key", table_name="record")
    op.execute("UPDATE record SET submitter_email = lower(submitter_email)")
    op.execute("UPDATE user_account SET email = email_key")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_email_key"), type_="unique")
        batch_op.drop_column("email_key")
