"""licence templates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licence_templates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("type in ('ORG', 'GROUP')", name=op.f("ck_licence_templates_type")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_licence_templates_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_licence_templates_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_templates")),
    )
    with op.batch_alter_table("licence_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licence_templates_org_id"), ["org_id"], unique=False)

    op.create_table(
        "template_groups",
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_template_groups_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["licence_templates.id"],
            name=op.f("fk_template_groups_template_id_licence_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("template_id", "group_id", name=op.f("pk_template_groups")),
        sa.UniqueConstraint("group_id", name="uq_template_groups_group"),
    )
    op.create_table(
        "template_licences",
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("licence_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_template_licences_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["licence_templates.id"],
            name=op.f("fk_template_licences_template_id_licence_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("template_id", "licence_id", name=op.f("pk_template_licences")),
    )


def downgrade() -> None:
    op.drop_table("template_licences")
    op.drop_table("template_groups")
    with op.batch_alter_table("licence_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licence_templates_org_id"))

    op.drop_table("licence_templates")
