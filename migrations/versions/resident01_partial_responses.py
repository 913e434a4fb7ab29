"""partial responses for the resident web survey (save and resume)

Revision ID: resident01
Revises: capi01
Create Date: 2026-11-22 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "resident01"
down_revision: str | None = "capi01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "partial_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resume_token", sa.String(length=64), nullable=False),
        sa.Column("client_uuid", sa.Uuid(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("answers", JSON_DOCUMENT, nullable=False),
        sa.Column("paradata", JSON_DOCUMENT, nullable=False),
        sa.Column("page", sa.String(length=64), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disposition", sa.String(length=8), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_partial_responses_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_version_id"],
            ["questionnaire_versions.id"],
            name=op.f("fk_partial_responses_questionnaire_version_id_questionnaire_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["waves.id"],
            name=op.f("fk_partial_responses_wave_id_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partial_responses")),
        sa.UniqueConstraint("client_uuid", name=op.f("uq_partial_responses_client_uuid")),
        sa.UniqueConstraint("resume_token", name=op.f("uq_partial_responses_resume_token")),
    )
    with op.batch_alter_table("partial_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partial_responses_address_hash"), ["address_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partial_responses_device_hash"), ["device_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partial_responses_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partial_responses_wave_id"), ["wave_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("partial_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partial_responses_wave_id"))
        batch_op.drop_index(batch_op.f("ix_partial_responses_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_partial_responses_device_hash"))
        batch_op.drop_index(batch_op.f("ix_partial_responses_address_hash"))
    op.drop_table("partial_responses")
