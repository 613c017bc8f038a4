"""Fixtures of the certificate-registry tests: real SQLite files and a real PostgreSQL.

* ``db_url`` — parametrised over ``sqlite`` and ``postgresql``: a fresh, migrated database
  for each test (SQLite: a copy of a template migrated once per session; PostgreSQL: a
  fresh schema in ``$VBSIGN_TEST_PG_URL``, migrated by alembic, dropped afterwards).
* PostgreSQL tests skip when ``VBSIGN_TEST_PG_URL`` is unset, and FAIL when
  ``VBSIGN_REQUIRE_PG=1`` (CI, see ``scripts/start-postgres.sh``) and the server is down.
* ``reg`` — a :class:`~vbsign.registry.Registry` on ``db_url`` whose clock is fixed at
  ``T0`` (2026-12-01 10:00 Vietnam time).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)
PG_ENV = "VBSIGN_TEST_PG_URL"
REQUIRE_PG_ENV = "VBSIGN_REQUIRE_PG"


def pg_base_url() -> str | None:
    """The PostgreSQL test server, or skip/fail (see the module docstring)."""
    url = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_PG_ENV, "").strip() in ("1", "true", "yes")
    if not url:
        if required:
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV} is not set (source scripts/start-postgres.sh)")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (source scripts/start-postgres.sh)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from vbsign.registry.db import with_pg_driver

    # an old postgresql:// or postgresql+psycopg2:// URL names psycopg 3, as in vbsign itself
    url = with_pg_driver(make_url(url)).render_as_string(hide_password=False)
    try:
        eng = create_engine(url, connect_args={"connect_timeout": 5})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as e:  # pragma: no cover - depends on the machine
        if required:
            pytest.fail(f"PostgreSQL at {PG_ENV} is unavailable: {e}")
        pytest.skip(f"PostgreSQL at {PG_ENV} is unavailable: {e}")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite registry migrated to head once per session (copied for each test)."""
    from vbsign.registry import db

    path = tmp_path_factory.mktemp("registry-template") / "template.sqlite3"
    engine = db.create_engine_for(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.begin() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL schema (not migrated); dropped after the test."""
    from sqlalchemy import create_engine

    base = pg_base_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A freshly migrated registry database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "registry.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("fresh_pg_url")
    from vbsign.registry import db

    engine = db.create_engine_for(url)
    db.upgrade(engine)
    engine.dispose()
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A freshly migrated SQLite registry (for tests that need one backend only)."""
    path = tmp_path / "registry.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def reg(db_url: str) -> Iterator[Any]:
    from vbsign.registry import Registry

    r = Registry.open(db_url, clock=lambda: T0)
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def sreg(sqlite_url: str) -> Iterator[Any]:
    """A registry on SQLite only (fast tests of pure behaviour)."""
    from vbsign.registry import Registry

    r = Registry.open(sqlite_url, clock=lambda: T0)
    try:
        yield r
    finally:
        r.close()


def seed_ministry(r: Any) -> dict[str, int]:
    """A small ministry: the units and subscribers matching the test PKI's certificates
    (shaped like the real ones: the person's O/OU name the ministry and the Cục, the seal
    certificate's CN is the Cục under O = the ministry)."""
    r.set_settings({"agency": "Bộ Khoa học và Công nghệ", "office": "Trung tâm Công nghệ thông tin",
                    "locality": "Hà Nội", "signer_title": "Giám đốc", "signer_name": "Phạm Văn Giám"})
    r.add_wave(1, "Trung tâm CNTT", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    r.add_unit("BO", "Bộ Khoa học và Công nghệ", wave=1, requires_seal=False)
    r.add_unit("CDS", "Cục Chuyển đổi số quốc gia", parent="BO")
    r.add_unit("TTCNTT", "Trung tâm Công nghệ thông tin", parent="BO")
    r.add_unit("UBND-HN", "Ủy ban nhân dân thành phố Hà Nội", requires_seal=False)
    r.add_unit("SO-HN", "Sở Khoa học và Công nghệ", parent="UBND-HN")
    return {
        "person": r.add_subscriber("Nguyễn Văn A", "CDS", title="Phó Cục trưởng").id,
        "agency": r.add_subscriber("Cục Chuyển đổi số quốc gia", "CDS", kind="organisation").id,
        "person-ec": r.add_subscriber("Lê Văn Cường", "CDS", title="Chuyên viên").id,
        "revoked": r.add_subscriber("Đỗ Văn Thu Hồi (TEST bị thu hồi)", "CDS", title="Chuyên viên").id,
        "revoked-later": r.add_subscriber("Vũ Thị Sau (TEST thu hồi sau)", "CDS", title="Chuyên viên").id,
        "agency-b": r.add_subscriber("Sở Khoa học và Công nghệ", "SO-HN", kind="organisation").id,
        "subscriber": r.add_subscriber("Phạm Thị Dung", "SO-HN", uid="cccd: 001190012345", email="dung@example.vn").id,
    }


SEEDED_LABELS = ("person", "agency", "person-ec", "revoked", "revoked-later", "agency-b", "subscriber")


@pytest.fixture
def seeded(reg: Any, pki: Any) -> tuple[Any, dict[str, int]]:
    """``reg`` with the ministry and the test PKI's CA and subscriber certificates imported."""
    ids = seed_ministry(reg)
    reg.import_certificates(
        [pki.cert(lbl) for lbl in (*SEEDED_LABELS, "gov-root", "gov-ca", "pub-root", "pub-ca")], source="testpki"
    )
    return reg, ids


def days(n: float) -> timedelta:
    return timedelta(days=n)
