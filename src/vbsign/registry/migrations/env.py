"""Alembic environment of the vbsign registry.

Migrations are run programmatically (:func:`vbsign.registry.db.upgrade`), which passes an
open connection in ``config.attributes["connection"]``; there is no ``alembic.ini``. For a
developer generating a new revision, ``VBSIGN_REGISTRY_URL`` names the database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from vbsign.registry.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from vbsign.registry.db import create_engine_for, resolve_url

    engine = create_engine_for(resolve_url(None))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():  # pragma: no cover - SQL script generation
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
