"""conflicting versions and replaced revisions of tablet and ODK Collect responses

Revision ID: capi01
Revises: 0002
Create Date: 2026-11-22 08:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "capi01"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "response_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("disposition", sa.String(length=8), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("paradata", _json(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_conflicts_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_response_conflicts_sender_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_conflicts")),
        sa.UniqueConstraint(
            "response_id",
            "content_hash",
            name=op.f("uq_response_conflicts_response_id_content_hash"),
        ),
    )
    with op.batch_alter_table("response_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_conflicts_response_id"), ["response_id"], unique=False
        )
    op.create_table(
        "response_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(length=8), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("paradata", _json(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_revisions_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_revisions")),
    )
    with op.batch_alter_table("response_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_revisions_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("response_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_revisions_response_id"))
    op.drop_table("response_revisions")
    with op.batch_alter_table("response_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_conflicts_response_id"))
    op.drop_table("response_conflicts")
