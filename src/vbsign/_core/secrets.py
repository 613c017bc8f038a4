"""Secret values (PINs, passphrases) that never leak into logs, reprs or messages."""

from __future__ import annotations

from collections.abc import Callable


class Secret:
    """Holds a secret string. ``repr``/``str`` never show it; use :meth:`reveal` explicitly."""

    __slots__ = ("__value",)

    def __init__(self, value: str | bytes) -> None:
        self.__value = value.decode("utf-8") if isinstance(value, bytes) else value

    def reveal(self) -> str:
        return self.__value

    def reveal_bytes(self) -> bytes:
        return self.__value.encode("utf-8")

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.__value)

    def __reduce__(self) -> str:  # pragma: no cover - pickling would leak it
        raise TypeError("Secret values cannot be pickled")


SecretLike = str | bytes | Secret | Callable[[], str | bytes | Secret | None] | None


def resolve_secret(value: SecretLike) -> Secret | None:
    """Turn a string, bytes, :class:`Secret` or a callback returning one into a Secret."""
    if callable(value) and not isinstance(value, Secret):
        value = value()
    if value is None:
        return None
    if isinstance(value, Secret):
        return value
    return Secret(value)
