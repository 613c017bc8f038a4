"""Initial schema of the certificate registry.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alert_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("first_notified_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notifications")),
        sa.UniqueConstraint("code", "key", name="uq_alert_notifications_code_key"),
    )
    op.create_table(
        "audit_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=True),
        sa.Column("document_name", sa.String(length=500), nullable=True),
        sa.Column("document_key", sa.String(length=200), nullable=False),
        sa.Column("verdict", sa.String(length=40), nullable=True),
        sa.Column("certificate_fingerprints", sa.Text(), nullable=False),
        sa.Column("signer_names", sa.Text(), nullable=False),
        sa.Column("unit_name", sa.String(length=300), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("signer_mask", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_kind_time_unit", "audit_events", ["kind", "time", "unit_id"], unique=False
    )
    op.create_index(op.f("ix_audit_events_time"), "audit_events", ["time"], unique=False)
    op.create_index("ix_audit_events_unit_time", "audit_events", ["unit_id", "time"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # the chain head starts at the genesis hash (sequence 0)
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.BigInteger()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
        sa.UniqueConstraint("number", name=op.f("uq_waves_number")),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_training_sessions_wave_id_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("locality", sa.String(length=100), nullable=True),
        sa.Column("requires_seal", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name=op.f("fk_units_wave_id_waves")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
    )
    op.create_index(op.f("ix_units_parent_id"), "units", ["parent_id"], unique=False)
    op.create_index(op.f("ix_units_wave_id"), "units", ["wave_id"], unique=False)
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_subscribers_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
        sa.UniqueConstraint("uid", name=op.f("uq_subscribers_uid")),
    )
    op.create_index(op.f("ix_subscribers_unit_id"), "subscribers", ["unit_id"], unique=False)
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("serial_hex", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=1000), nullable=False),
        sa.Column("issuer_cn", sa.String(length=300), nullable=True),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("subject_cn", sa.String(length=300), nullable=True),
        sa.Column("subject_o", sa.String(length=300), nullable=True),
        sa.Column("subject_ou", sa.String(length=300), nullable=True),
        sa.Column("subject_uid", sa.String(length=100), nullable=True),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("key_type", sa.String(length=40), nullable=False),
        sa.Column("signature_algorithm", sa.String(length=60), nullable=False),
        sa.Column("is_ca", sa.Boolean(), nullable=False),
        sa.Column("self_signed", sa.Boolean(), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("renewal_of_id", sa.Integer(), nullable=True),
        sa.Column("token_serial", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=60), nullable=True),
        sa.Column("revocation_source", sa.String(length=16), nullable=True),
        sa.Column("revocation_notified_on", sa.Date(), nullable=True),
        sa.Column("revocation_checked_at", sa.DateTime(), nullable=True),
        sa.Column("revocation_check_result", sa.String(length=16), nullable=True),
        sa.Column("revocation_check_note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=1000), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["renewal_of_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_renewal_of_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_certificates_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_certificates_fingerprint")),
    )
    op.create_index(
        "ix_certificates_holder",
        "certificates",
        ["is_ca", "subscriber_id", "not_before", "not_after"],
        unique=False,
    )
    op.create_index(
        "ix_certificates_expiry", "certificates", ["status", "is_ca", "not_after"], unique=False
    )
    op.create_index(op.f("ix_certificates_not_after"), "certificates", ["not_after"], unique=False)
    op.create_index(
        op.f("ix_certificates_subject_cn"), "certificates", ["subject_cn"], unique=False
    )
    op.create_index(
        op.f("ix_certificates_subject_uid"), "certificates", ["subject_uid"], unique=False
    )
    op.create_index(
        op.f("ix_certificates_subscriber_id"), "certificates", ["subscriber_id"], unique=False
    )
    op.create_index(
        op.f("ix_certificates_token_serial"), "certificates", ["token_serial"], unique=False
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("owner_subscriber_id", sa.Integer(), nullable=True),
        sa.Column("holder_name", sa.String(length=300), nullable=True),
        sa.Column("holder_subscriber_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_tokens_holder_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_tokens_owner_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("serial", name=op.f("uq_tokens_serial")),
    )
    op.create_index(
        op.f("ix_tokens_owner_subscriber_id"), "tokens", ["owner_subscriber_id"], unique=False
    )
    op.create_table(
        "training_attendance",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_attendance_session_id_training_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_training_attendance_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("session_id", "subscriber_id", name=op.f("pk_training_attendance")),
    )
    op.create_table(
        "cert_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_cert_requests_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_cert_requests_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_cert_requests_token_id_tokens")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_cert_requests_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_requests")),
    )
    op.create_index(op.f("ix_cert_requests_kind"), "cert_requests", ["kind"], unique=False)
    op.create_index(op.f("ix_cert_requests_status"), "cert_requests", ["status"], unique=False)
    op.create_index(
        op.f("ix_cert_requests_subscriber_id"), "cert_requests", ["subscriber_id"], unique=False
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("handed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("from_party", sa.String(length=300), nullable=False),
        sa.Column("to_party", sa.String(length=300), nullable=False),
        sa.Column("from_subscriber_id", sa.Integer(), nullable=True),
        sa.Column("to_subscriber_id", sa.Integer(), nullable=True),
        sa.Column("permission_ref", sa.String(length=200), nullable=True),
        sa.Column("record_no", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_handovers_from_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["to_subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_handovers_to_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["tokens.id"], name=op.f("fk_handovers_token_id_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    op.create_index(
        op.f("ix_handovers_to_subscriber_id"), "handovers", ["to_subscriber_id"], unique=False
    )
    op.create_index(op.f("ix_handovers_token_id"), "handovers", ["token_id"], unique=False)
    op.create_table(
        "cert_request_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["cert_requests.id"],
            name=op.f("fk_cert_request_history_request_id_cert_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cert_request_history")),
    )
    op.create_index(
        op.f("ix_cert_request_history_request_id"),
        "cert_request_history",
        ["request_id"],
        unique=False,
    )
    # summaries of the audit log (derived data, see vbsign.registry.rollups)
    op.create_table(
        "audit_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "unit_id", "kind", "verdict", name=op.f("pk_audit_monthly")
        ),
    )
    op.create_table(
        "audit_signers",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "certificate_id", name=op.f("pk_audit_signers")),
    )
    op.create_table(
        "audit_documents",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_key", sa.String(length=200), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("mask", sa.Integer(), nullable=False),
        sa.Column("latest_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", "document_key", name=op.f("pk_audit_documents")),
    )
    op.create_index(
        "ix_audit_documents_kind_day", "audit_documents", ["kind", "first_day"], unique=False
    )
    op.create_index(
        op.f("ix_audit_documents_latest_sha256"), "audit_documents", ["latest_sha256"], unique=False
    )
    op.create_table(
        "audit_doc_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("docs", sa.BigInteger(), nullable=False),
        sa.Column("both", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "unit_id", "kind", name=op.f("pk_audit_doc_monthly")),
    )
    # events waiting to be chained (see vbsign.registry.audit.seal)
    op.create_table(
        "audit_inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_inbox")),
    )


def downgrade() -> None:
    op.drop_table("audit_inbox")
    op.drop_table("audit_doc_monthly")
    op.drop_index(op.f("ix_audit_documents_latest_sha256"), table_name="audit_documents")
    op.drop_index("ix_audit_documents_kind_day", table_name="audit_documents")
    op.drop_table("audit_documents")
    op.drop_table("audit_signers")
    op.drop_table("audit_monthly")
    op.drop_index(op.f("ix_cert_request_history_request_id"), table_name="cert_request_history")
    op.drop_table("cert_request_history")
    op.drop_index(op.f("ix_handovers_token_id"), table_name="handovers")
    op.drop_index(op.f("ix_handovers_to_subscriber_id"), table_name="handovers")
    op.drop_table("handovers")
    op.drop_index(op.f("ix_cert_requests_subscriber_id"), table_name="cert_requests")
    op.drop_index(op.f("ix_cert_requests_status"), table_name="cert_requests")
    op.drop_index(op.f("ix_cert_requests_kind"), table_name="cert_requests")
    op.drop_table("cert_requests")
    op.drop_table("training_attendance")
    op.drop_index(op.f("ix_tokens_owner_subscriber_id"), table_name="tokens")
    op.drop_table("tokens")
    op.drop_index(op.f("ix_certificates_token_serial"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_subscriber_id"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_subject_uid"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_subject_cn"), table_name="certificates")
    op.drop_index(op.f("ix_certificates_not_after"), table_name="certificates")
    op.drop_index("ix_certificates_expiry", table_name="certificates")
    op.drop_index("ix_certificates_holder", table_name="certificates")
    op.drop_table("certificates")
    op.drop_index(op.f("ix_subscribers_unit_id"), table_name="subscribers")
    op.drop_table("subscribers")
    op.drop_index(op.f("ix_units_wave_id"), table_name="units")
    op.drop_index(op.f("ix_units_parent_id"), table_name="units")
    op.drop_table("units")
    op.drop_table("training_sessions")
    op.drop_table("waves")
    op.drop_table("settings")
    op.drop_table("holidays")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_events_unit_time", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_time"), table_name="audit_events")
    op.drop_index("ix_audit_events_kind_time_unit", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("alert_notifications")
