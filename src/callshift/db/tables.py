"""The schema. Alembic migrations (callshift/migrations) create it; this is their mirror."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)
TS = DateTime(timezone=True)

partners = Table(
    "partners",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created", TS, nullable=False),
)

locations = Table(
    "locations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("routing_prefix", String(16), nullable=False, default=""),
    # what Webex's locations API returns besides the name (0011); unknown stays null
    Column("address1", String(200)),
    Column("address2", String(200)),
    Column("city", String(100)),
    Column("state", String(100)),
    Column("postal_code", String(32)),
    Column("country", String(2)),
    Column("time_zone", String(64)),
    Column("preferred_language", String(16)),
    Column("announcement_language", String(16)),
    # the subscription whose Cisco PSTN the location uses, if any (0013)
    Column("pstn_subscription_id", ID, ForeignKey("subscriptions.id")),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("partner_id", ID, ForeignKey("partners.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("created", TS, nullable=False),
    CheckConstraint("status in ('active', 'suspended', 'cancelled')", name="status"),
)

licences = Table(
    "licences",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("subscription_id", ID, ForeignKey("subscriptions.id"), nullable=False, index=True),
    Column("offer_code", String(32), nullable=False),
    Column("total_units", Integer, nullable=False),
    Column("consumed_units", Integer, nullable=False, default=0),
    CheckConstraint("consumed_units >= 0 and consumed_units <= total_units", name="units"),
    UniqueConstraint("subscription_id", "offer_code", name="uq_licences_subscription_offer"),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_name", String(200), nullable=False, default=""),
    Column("last_name", String(200), nullable=False, default=""),
    Column("display_name", String(400), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="active"),
    Column("created", TS, nullable=False),
    Column("last_modified", TS, nullable=False),
    # "person" or "workspace": both hold licences and a calling profile alike (0013)
    Column("kind", String(16), nullable=False, default="person", server_default="person"),
    # a page's ids come from this index alone: on PostgreSQL the id is included (0007)
    # people pages walk one kind of holder in email order (0013)
    Index("ix_users_org_email", "org_id", "kind", "email", postgresql_include=["id"]),
    Index("ix_users_org_display_name", "org_id", "display_name"),
    # batches of a bulk move go in id order: with rows stored by id they share pages
    sqlite_with_rowid=False,
)

workspace_details = Table(
    "workspace_details",
    metadata,
    # what Webex shows of a workspace beyond what it shares with a person (users row)
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("workspace_type", String(16), nullable=False, default="notSet"),
    Column("capacity", Integer),
    Column("hotdesking", String(8), nullable=False, default="off"),
    Column("supported_devices", String(32), nullable=False, default="phones"),
    Column("notes", String(2000), nullable=False, default=""),
)

user_licences = Table(
    "user_licences",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("licence_id", ID, ForeignKey("licences.id"), primary_key=True),
    Index("ix_user_licences_licence_user", "licence_id", "user_id"),
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree fewer to write
)

calling_profiles = Table(
    "calling_profiles",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False),
    Column("location_id", ID, ForeignKey("locations.id"), nullable=False),
    Column("extension", String(16)),
    Column("phone_number", String(32)),
    Column("features", JSON, nullable=False),
    Column("voicemail_pin_hash", String(200)),
    Column("distinctive_ring", Boolean, nullable=False, default=True),
    UniqueConstraint("location_id", "extension", name="uq_calling_profiles_location_extension"),
    UniqueConstraint("org_id", "phone_number", name="uq_calling_profiles_org_number"),
    # a location's users, from the index alone (0007): the users list's location filter
    Index("ix_calling_profiles_location_user", "location_id", "user_id"),
    # an organisation's numbers in owner order, page by page (0011): /telephony/config/numbers
    Index("ix_calling_profiles_org_user", "org_id", "user_id"),
)

groups = Table(
    "groups",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("org_id", "name", name="uq_groups_org_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", ID, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", ID, nullable=False),
    Column("at", TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target_type", String(32), nullable=False),
    Column("target_id", ID, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("tracking_id", String(128)),
    Index("ix_audit_events_org_id", "org_id", "id"),
    Index("ix_audit_events_target", "target_id"),
    Index("ix_audit_events_org_at", "org_id", "at"),  # what happened lately (0013)
)

recycle_bin = Table(
    "recycle_bin",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, nullable=False),
    Column("user_id", ID, nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("licence_id", ID, nullable=False),
    Column("profile", JSON, nullable=False),
    Column("purged_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("restored_at", TS),
    Column("kind", String(16), nullable=False, server_default="person"),
    Column("name", String(400), nullable=False, server_default=""),
    Index("ix_recycle_bin_org_purged", "org_id", "purged_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("org_id", ID, ForeignKey("organisations.id")),
    Column("partner_id", ID, ForeignKey("partners.id")),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("created", TS, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("expires_at", TS),  # NULL: issued before tokens expired (migration 0012 sets it)
    Column("revoked_at", TS),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("started_at", TS),
    Column("finished_at", TS),
    Column("updated_at", TS, nullable=False),
    Column("total", Integer, nullable=False, default=0),
    Column("moved", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("rolled_back", Integer, nullable=False, default=0),
    Column("error", String(2000)),
    Index("ix_jobs_org_created", "org_id", "created_at"),
    Index("ix_jobs_status", "status"),
)

job_batches = Table(
    "job_batches",
    metadata,
    Column("job_id", ID, ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("phase", String(16), primary_key=True),  # forward | rollback
    Column("batch_no", Integer, primary_key=True),
    Column("done", Boolean, nullable=False, default=False),
    # a batch that raised: how often, the last cause, and when it may be tried again
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("last_error", String(2000)),
    Column("retry_at", TS),
    Index("ix_job_batches_todo", "job_id", "phase", "done", "batch_no"),
)

job_items = Table(
    "job_items",
    metadata,
    Column("job_id", ID, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("batch_no", Integer, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("email", String(320), nullable=False),
    Column("status", String(16), nullable=False),  # pending moved skipped failed rolled_back
    Column("error_code", Integer),
    Column("message", String(1000)),
    Column("payload", JSON),  # what this item asks for (CSV row, template change), if any
    # stored by batch: a batch's items are neighbours whatever order they were written in
    PrimaryKeyConstraint("job_id", "batch_no", "seq"),
    Index("ux_job_items_seq", "job_id", "seq", unique=True),
    # listing a job's failed items is the only read by status
    Index(
        "ix_job_items_failed",
        "job_id",
        "seq",
        sqlite_where=text("status = 'failed'"),
        postgresql_where=text("status = 'failed'"),
    ),
    sqlite_with_rowid=False,
)

job_log = Table(
    "job_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", ID, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("level", String(8), nullable=False),
    Column("message", String(2000), nullable=False),
)

licence_templates = Table(
    "licence_templates",
    metadata,
    Column("id", ID, primary_key=True),
    Column("org_id", ID, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("type", String(8), nullable=False),  # ORG | GROUP
    Column("location_id", ID, ForeignKey("locations.id")),  # where template calling users go
    Column("created", TS, nullable=False),
    Column("updated", TS, nullable=False),
    CheckConstraint("type in ('ORG', 'GROUP')", name="type"),
)

template_licences = Table(
    "template_licences",
    metadata,
    Column(
        "template_id", ID, ForeignKey("licence_templates.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("licence_id", ID, ForeignKey("licences.id"), primary_key=True),
)

template_groups = Table(
    "template_groups",
    metadata,
    Column(
        "template_id", ID, ForeignKey("licence_templates.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("group_id", ID, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    UniqueConstraint("group_id", name="uq_template_groups_group"),  # a group has one template
)

# --- admin web UI: accounts and their sessions (migration 0004) ---------------------------
# the users list's search by name: a case-insensitive prefix is a range of this index
Index("ix_users_org_lower_name", users.c.org_id, func.lower(users.c.display_name))

ui_accounts = Table(
    "ui_accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("org_id", ID, ForeignKey("organisations.id")),
    Column("partner_id", ID, ForeignKey("partners.id")),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE")),
    Column("created", TS, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

ui_sessions = Table(
    "ui_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's secret
    Column(
        "account_id",
        ID,
        ForeignKey("ui_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf", String(64), nullable=False),
    Column("created", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)

signin_throttles = Table(
    "signin_throttles",
    metadata,
    Column("key", String(400), primary_key=True),  # "account:EMAIL" or "address:IP"
    Column("failures", Integer, nullable=False),
    Column("last_failure", TS, nullable=False),
    Column("blocked_until", TS),
)
