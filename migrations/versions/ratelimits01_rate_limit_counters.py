"""rate limit counters

Revision ID: ratelimits01
Revises: privacy01
Create Date: 2026-11-22 10:40:33.139788
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ratelimits01"
down_revision: str | None = "privacy01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
