"""The core of :class:`~vbsign.registry.service.Registry`: engine, sessions, settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

import vbsign.registry.db as db
from vbsign._core.i18n import Msg
from vbsign.registry.alerts import local_date
from vbsign.registry.errors import Duplicate, RegistryError
from vbsign.registry.models import Holiday, Setting
from vbsign.registry.workdays import HolidayCalendar

if TYPE_CHECKING:
    from vbsign.registry.checkpoint import CheckpointConfig

#: settings used on documents and reports (``vbsign registry init --agency … --office …``)
SETTING_KEYS: dict[str, Msg] = {
    "agency": Msg("Cơ quan chủ quản (dòng trên của tiêu đề)", "Parent agency (upper header line)"),
    "office": Msg("Đơn vị quản lý thuê bao (dòng dưới của tiêu đề)", "Subscriber-managing unit (lower header line)"),
    "locality": Msg("Địa danh ghi trên văn bản", "Place name written on documents"),
    "signer_title": Msg("Chức danh người ký văn bản", "Title of the person signing documents"),
    "signer_name": Msg("Họ tên người ký văn bản", "Name of the person signing documents"),
}

Clock = Callable[[], datetime]


class RegistryBase:
    """Lifecycle, sessions and settings shared by every part of :class:`~.service.Registry`."""

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        engine: Engine | None = None,
        plugin_manager: Any = None,
        clock: Clock | None = None,
    ) -> None:
        self.engine = engine if engine is not None else db.create_engine_for(url)
        self._owns_engine = engine is None
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(db.writer(self.engine), expire_on_commit=False)
        self.plugin_manager = plugin_manager
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        #: automatic signed checkpoints of the audit chain (:mod:`.checkpoint`), when set
        self.checkpoints: CheckpointConfig | None = None

    # ---- lifecycle ---------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | URL | None = None,
        *,
        create: bool = False,
        plugin_manager: Any = None,
        clock: Clock | None = None,
    ) -> Self:
        """Open a registry; with ``create=True`` create/upgrade its schema, else require it."""
        reg = cls(url, plugin_manager=plugin_manager, clock=clock)
        try:
            if create:
                reg.init()
            else:
                db.check_schema(reg.engine)
        except BaseException:
            reg.close()
            raise
        return reg

    def init(self, settings: dict[str, str] | None = None) -> str:
        """Create or upgrade the schema (idempotent); returns the schema revision."""
        try:
            db.upgrade(self.engine)
        except OperationalError as e:
            raise db.unreachable(self.engine, e) from None
        if settings:
            self.set_settings(settings)
        return db.head_revision()

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return db.display_url(self.engine.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as s:
            try:
                yield s
            except OperationalError as e:
                raise db.unreachable(self.engine, e) from None

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._write() as s:
            try:
                with s.begin():
                    yield s
            except IntegrityError as e:
                raise Duplicate(
                    Msg(
                        "Dữ liệu trùng hoặc vi phạm ràng buộc: {e}",
                        "Duplicate data or constraint violation: {e}",
                    ).format(e=str(e.orig).splitlines()[0] if e.orig else e)
                ) from None
            except OperationalError as e:
                raise db.unreachable(self.engine, e) from None

    @contextmanager
    def _core(self) -> Iterator[Connection]:
        """A Core connection whose transactions are writers (BEGIN IMMEDIATE on SQLite)."""
        try:
            with db.writer(self.engine).connect() as conn:
                yield conn
        except OperationalError as e:
            raise db.unreachable(self.engine, e) from None

    def today(self) -> date:
        return local_date(self.clock())

    # ---- settings ----------------------------------------------------------------------
    def set_settings(self, values: dict[str, str]) -> None:
        unknown = set(values) - set(SETTING_KEYS)
        if unknown:
            raise RegistryError(
                Msg("Thiết lập không hợp lệ: {k}. Hợp lệ: {ok}", "Unknown setting(s): {k}. Known: {ok}").format(
                    k=", ".join(sorted(unknown)), ok=", ".join(SETTING_KEYS)
                )
            )
        with self.writing() as s:
            for key, value in values.items():
                row = s.get(Setting, key)
                if row is None:
                    s.add(Setting(key=key, value=value))
                else:
                    row.value = value

    def settings(self) -> dict[str, str]:
        with self.reading() as s:
            return {r.key: r.value for r in s.execute(select(Setting)).scalars()}

    def calendar(self) -> HolidayCalendar:
        """Working-day calendar: the fixed holidays plus the days stored in the registry."""
        with self.reading() as s:
            return HolidayCalendar.from_rows((h.day, h.name, h.kind) for h in s.execute(select(Holiday)).scalars())
