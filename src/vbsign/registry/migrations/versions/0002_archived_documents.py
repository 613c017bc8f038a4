"""Archived documents watched for archive-timestamp renewal (issue 18).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "archived_documents",
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("indication", sa.String(length=24), nullable=True),
        sa.Column("proof_holds_until", sa.DateTime(), nullable=True),
        sa.Column("proof_limit", sa.String(length=500), nullable=True),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_archived_documents")),
    )


def downgrade() -> None:
    op.drop_table("archived_documents")
