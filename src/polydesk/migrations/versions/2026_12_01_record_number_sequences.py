"""record number sequences

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 07:30:00.000000

On PostgreSQL each record kind's numbers come from a sequence (``record_number_<kind>``), so
that concurrent creations no longer queue on the kind's ``record_counter`` row, locked until
each creator commits. The sequences start after the numbers already handed out. SQLite, whose
writers take turns anyway, keeps the counter rows.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("incident", "request", "problem", "change", "release")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        op.execute(f"CREATE SEQUENCE record_number_{kind} START 1")
        op.execute(
            f"SELECT setval('record_number_{kind}', 1 + greatest("
            f"(SELECT coalesce(max(last_number), 0) FROM record_counter WHERE kind = '{kind}'),"
            f" (SELECT coalesce(max(number), 0) FROM record WHERE kind = '{kind}')), false)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        op.execute(
            "INSERT INTO record_counter (kind, last_number) SELECT kind, max(number) FROM record"
            f" WHERE kind = '{kind}' GROUP BY kind"
            " ON CONFLICT (kind) DO UPDATE SET last_number = excluded.last_number"
        )
        op.execute(f"DROP SEQUENCE record_number_{kind}")
