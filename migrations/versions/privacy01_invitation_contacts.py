"""invitation contacts

Revision ID: privacy01
Revises: resident01
Create Date: 2026-11-22 09:13:17.606004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "privacy01"
down_revision: str | None = "resident01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_contacts_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_contacts")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_invitation_contacts_invitation_id")),
    )


def downgrade() -> None:
    op.drop_table("invitation_contacts")
