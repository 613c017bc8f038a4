"""Schema: alembic migrations from empty on SQLite and PostgreSQL, models == migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from vbsign.registry import Registry, db
from vbsign.registry.errors import SchemaError
from vbsign.registry.models import Base

EXPECTED_TABLES = {
    "settings", "waves", "units", "subscribers", "tokens", "certificates", "cert_requests",
    "cert_request_history", "handovers", "training_sessions", "training_attendance", "holidays",
    "alert_notifications", "audit_events", "audit_head", "audit_monthly", "audit_signers", "audit_documents",
    "audit_doc_monthly", "archived_documents", "alembic_version",
}


def _migrate_from_empty(url: str) -> None:
    engine = db.create_engine_for(url)
    try:
        assert db.current_revision(engine) is None
        with pytest.raises(SchemaError) as err:
            db.check_schema(engine)
        assert "vbsign registry init" in err.value.message_vi and "not initialised" in err.value.message_en
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        db.check_schema(engine)
        assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES
        # the models describe exactly what the migrations create (no drift)
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        db.upgrade(engine)  # idempotent
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT seq, hash FROM audit_head").all() == [(0, "0" * 64)]
    finally:
        engine.dispose()


def test_migrations_from_empty_sqlite(tmp_path: Path) -> None:
    _migrate_from_empty(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


def test_migrations_from_empty_postgresql(fresh_pg_url: str) -> None:
    _migrate_from_empty(fresh_pg_url)


def test_downgrade_to_empty_and_back(tmp_path: Path) -> None:
    engine = db.create_engine_for(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.upgrade(engine)
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_sqlite_file_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = db.create_engine_for(sqlite_url)
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_default_location_and_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(db.ENV_URL, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = db.resolve_url(None)
    assert url.get_backend_name() == "sqlite"
    assert url.database is not None and url.database.endswith("vbsign/registry.sqlite3")
    assert url.database.startswith(str(tmp_path / "data"))
    monkeypatch.setenv(db.ENV_URL, "postgresql+psycopg2://u:secret@db.example/reg")
    shown = db.display_url(db.resolve_url(None))
    assert "secret" not in shown and "db.example" in shown


def test_open_uninitialised_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as err:
        Registry.open(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert "chưa được khởi tạo" in str(err.value)
    reg = Registry.open(f"sqlite:///{tmp_path / 'new.sqlite3'}", create=True)
    assert reg.list_units() == []
    reg.close()


def test_bad_urls_are_typed_errors() -> None:
    with pytest.raises(SchemaError) as err:
        db.create_engine_for("mysql://u:pw@h/db")
    assert "PostgreSQL" in err.value.message_en and "pw" not in str(err.value)
    with pytest.raises(SchemaError):
        db.resolve_url("not a url")


def test_unreachable_postgresql_is_a_clear_error() -> None:
    # a closed local port: refused at once (bounded connect timeout otherwise)
    reg = Registry("postgresql+psycopg2://u:topsecret@127.0.0.1:9/none")
    with pytest.raises(SchemaError) as err:
        reg.init()
    assert "Không kết nối được" in err.value.message_vi and "topsecret" not in str(err.value)
    reg.close()


def test_migration_files_ship_inside_the_package() -> None:
    files = {p.name for p in db.MIGRATIONS_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert {"env.py", "script.py.mako", "0001_initial_schema.py"} <= files


def test_postgresql_urls_use_psycopg3() -> None:
    """psycopg 3 is the driver; URLs of earlier configurations keep working."""
    for old in ("postgresql://u:pw@db.example/reg", "postgresql+psycopg2://u:pw@db.example/reg"):
        url = db.resolve_url(old)
        assert url.drivername == "postgresql+psycopg" and url.password == "pw" and url.database == "reg"
    assert db.resolve_url("postgresql+asyncpg://u@h/reg").drivername == "postgresql+asyncpg"
    assert db.resolve_url("sqlite:///x.sqlite3").drivername == "sqlite"
    engine = db.create_engine_for("postgresql://u:pw@127.0.0.1:9/none")
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()
