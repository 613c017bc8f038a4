"""Where the registry lives and how its schema is created.

* :func:`resolve_url`: an explicit URL, else ``VBSIGN_REGISTRY_URL``, else a SQLite file
  ``registry.sqlite3`` under the user data directory (``platformdirs.user_data_dir``).
* :func:`create_engine_for`: SQLite in WAL mode with foreign keys on and a busy timeout, in
  which *writers* begin with ``BEGIN IMMEDIATE`` (so that concurrent processes queue for the
  write lock instead of failing on a lock upgrade); PostgreSQL (psycopg 3,
  ``postgresql+psycopg://``; ``postgresql://`` and ``postgresql+psycopg2://`` URLs are mapped
  to it by :func:`with_pg_driver`) with a bounded connect timeout.
* :func:`upgrade`: runs the alembic migrations shipped in this package, programmatically.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

import vbsign._core.files as _io
from vbsign._core.i18n import Msg
from vbsign.registry.errors import SchemaError

ENV_URL = "VBSIGN_REGISTRY_URL"
DEFAULT_FILENAME = "registry.sqlite3"
#: seconds a SQLite writer waits for the write lock before giving up
SQLITE_BUSY_TIMEOUT = 60.0
#: milliseconds SQLite itself waits per BEGIN IMMEDIATE try (see _begin_immediate)
_SHORT_BUSY_MS = 2
#: seconds to wait for a PostgreSQL connection
PG_CONNECT_TIMEOUT = 10
#: execution option naming the SQLite BEGIN mode of a connection
BEGIN_MODE_OPTION = "vbsign_sqlite_begin"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("vbsign")) / DEFAULT_FILENAME


def resolve_url(url: str | URL | None) -> URL:
    """The database URL: ``url``, else ``$VBSIGN_REGISTRY_URL``, else the default SQLite file."""
    if url is None:
        url = os.environ.get(ENV_URL) or f"sqlite:///{default_sqlite_path()}"
    try:
        return with_pg_driver(make_url(url))
    except ArgumentError:
        raise SchemaError(
            Msg(
                "Địa chỉ cơ sở dữ liệu không hợp lệ: {u}",
                "Invalid database URL: {u}",
            ).format(u=_safe(url))
        ) from None


#: the PostgreSQL driver vbsign installs (``registry`` extra) and tests: psycopg 3
PG_DRIVER = "psycopg"
#: drivers a PostgreSQL URL may name that mean "the default one": ``postgresql://`` (which
#: SQLAlchemy maps to psycopg2) and ``postgresql+psycopg2://`` (vbsign before psycopg 3)
_LEGACY_PG_DRIVERS = frozenset({"", "psycopg2"})


def with_pg_driver(url: URL) -> URL:
    """``postgresql://`` and ``postgresql+psycopg2://`` URLs as ``postgresql+psycopg://``.

    Configurations written for earlier versions keep working after the switch to psycopg 3
    (psycopg2 is no longer installed); a URL naming another driver (``+asyncpg``,
    ``+pg8000``…) is left as it is, and so is any other database."""
    if url.get_backend_name() != "postgresql":
        return url
    driver = url.drivername.partition("+")[2]
    if driver in _LEGACY_PG_DRIVERS:
        return url.set(drivername=f"postgresql+{PG_DRIVER}")
    return url


def display_url(url: URL) -> str:
    """The URL with its password hidden (for messages and logs)."""
    return url.render_as_string(hide_password=True)


def _safe(url: object) -> str:
    try:
        return display_url(make_url(str(url)))
    except Exception:
        return "<?>"


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL (``None`` for an in-memory database)."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database
    if not db or db == ":memory:" or db.startswith("file::memory:"):
        return None
    return Path(db)


def create_engine_for(url: str | URL | None, **kwargs: Any) -> Engine:
    """An engine for the registry database (see the module docstring)."""
    u = resolve_url(url)
    backend = u.get_backend_name()
    try:
        if backend == "sqlite":
            path = sqlite_path(u)
            if path is not None:
                # subscribers' personal data: the file (and the WAL/SHM files SQLite creates
                # with the database file's mode) is the owner's only, whatever the umask
                _io.make_private_dirs(path.parent)
                _io.create_private_file(path)
            connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False}
            connect_args.update(kwargs.pop("connect_args", {}))
            engine = create_engine(u, connect_args=connect_args, **kwargs)
            _configure_sqlite(engine, wal=path is not None)
            return engine
        if backend == "postgresql":
            connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT}
            connect_args.update(kwargs.pop("connect_args", {}))
            # no pre-ping (it costs a round trip per transaction on the audit hot path);
            # recycled connections instead, and a dropped one surfaces as a SchemaError
            kwargs.setdefault("pool_recycle", 1800)
            return create_engine(u, connect_args=connect_args, **kwargs)
    except (NoSuchModuleError, ImportError) as e:
        raise SchemaError(
            Msg(
                "Thiếu trình điều khiển cơ sở dữ liệu cho {u} ({e}): pip install 'vbsign[registry]'",
                "Missing database driver for {u} ({e}): pip install 'vbsign[registry]'",
            ).format(u=display_url(u), e=e)
        ) from None
    raise SchemaError(
        Msg(
            "Chỉ hỗ trợ SQLite và PostgreSQL, không hỗ trợ: {u}",
            "Only SQLite and PostgreSQL are supported, not: {u}",
        ).format(u=display_url(u))
    )


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN (deferred) lazily; we emit BEGIN
        # ourselves (see _on_begin) so that writers can ask for BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        if wal:
            cur.execute("PRAGMA journal_mode=WAL")
            # safe with WAL: a crash may lose the last commits, never corrupt the file
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE_OPTION, "DEFERRED")
        assert mode in ("DEFERRED", "IMMEDIATE")
        if mode == "DEFERRED":
            conn.exec_driver_sql("BEGIN")
            return
        _begin_immediate(conn.connection.dbapi_connection)


def _begin_immediate(dbapi_conn: Any) -> None:
    """``BEGIN IMMEDIATE``, waiting for the write lock with short randomised retries.

    SQLite's own busy handler sleeps longer and longer (up to 100 ms a try) while another
    process holds the lock, which wastes most of the time when many processes write short
    transactions; here each try waits at most a few milliseconds (bounded overall by
    :data:`SQLITE_BUSY_TIMEOUT`).
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    delay = 0.0005
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={_SHORT_BUSY_MS}")
        while True:
            try:
                cur.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0, delay))
                delay = min(delay * 2, 0.01)
    finally:
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
        cur.close()


def writer(engine: Engine) -> Engine:
    """The same engine, but whose transactions take SQLite's write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"})
    return engine


# ---- migrations ----------------------------------------------------------------------------


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with _connect(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (idempotent)."""
    from alembic import command

    with _connect(writer(engine)) as conn, conn.begin():
        command.upgrade(_alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with _connect(writer(engine)) as conn, conn.begin():
        command.downgrade(_alembic_config(conn), revision)


def check_schema(engine: Engine) -> None:
    """Raise :class:`SchemaError` unless the database is at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    url = display_url(engine.url)
    if current is None:
        raise SchemaError(
            Msg(
                "Cơ sở dữ liệu sổ quản lý chứng thư số chưa được khởi tạo ({u}). Chạy: vbsign registry init",
                "The certificate registry database is not initialised ({u}). Run: vbsign registry init",
            ).format(u=url),
            details={"current": None, "head": head},
        )
    raise SchemaError(
        Msg(
            "Cơ sở dữ liệu ở phiên bản {c}, cần {h} ({u}). Chạy: vbsign registry init để nâng cấp.",
            "The database is at revision {c}, {h} is needed ({u}). Run: vbsign registry init to upgrade.",
        ).format(c=current, h=head, u=url),
        details={"current": current, "head": head},
    )


class _connect:
    """``engine.connect()`` turning "cannot connect" into a bilingual SchemaError."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            self.conn = self.engine.connect()
        except OperationalError as e:
            raise unreachable(self.engine, e) from None
        return self.conn

    def __exit__(self, *exc: object) -> None:
        assert self.conn is not None
        self.conn.close()


def unreachable(engine: Engine, e: BaseException) -> SchemaError:
    orig = getattr(e, "orig", None) or e
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return SchemaError(
        Msg(
            "Không kết nối được cơ sở dữ liệu {u}: {e}",
            "Cannot connect to the database {u}: {e}",
        ).format(u=display_url(engine.url), e=first)
    )

