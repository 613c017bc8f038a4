"""PKCS#11 URIs (RFC 7512): parse what users type, print what they can paste back.

``pkcs11:token=VGCA%20Token;object=Nguy%E1%BB%85n%20V%C4%83n%20A?module-path=/usr/lib/x.so``

Parsing is strict about structure (unknown attributes, duplicates and bad escapes are
errors, so that a typo never silently selects another key) but lenient about characters:
a clerk pasting ``object=TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate`` with raw spaces and
diacritics gets what they meant. Formatting is conservative: everything except RFC 3986
unreserved characters is percent-encoded, so a printed URI survives shells (inside single
quotes), e-mail and spreadsheets.

vbsign-specific extension (RFC 7512 §2.3 vendor attribute): ``x-subject=…`` selects the
certificate whose subject common name (or any subject attribute) equals the value.

Deliberate refusals: ``pin-value`` (a PIN in a URI ends up in shell history, process lists
and logs) and ``slot-id`` (slot numbers change when tokens are re-plugged or initialised;
select tokens by label or serial).
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

SCHEME = "pkcs11:"

#: RFC 7512 path attributes vbsign understands
PATH_ATTRIBUTES = (
    "token",
    "manufacturer",
    "serial",
    "model",
    "library-manufacturer",
    "library-description",
    "library-version",
    "object",
    "type",
    "id",
    "slot-description",
    "slot-manufacturer",
    "slot-id",
)
#: RFC 7512 query attributes vbsign understands
QUERY_ATTRIBUTES = ("pin-source", "pin-value", "module-name", "module-path")
#: vendor attributes vbsign understands (any other ``x-…`` attribute is an error too)
VENDOR_ATTRIBUTES = ("x-subject",)
OBJECT_TYPES = ("cert", "private", "public", "secret-key", "data")

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_HEX = frozenset(string.hexdigits)


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed PKCS#11 URI. Text values are NFC-normalised Unicode; ``id`` is raw bytes."""

    token: str | None = None
    manufacturer: str | None = None
    serial: str | None = None
    model: str | None = None
    library_manufacturer: str | None = None
    library_description: str | None = None
    library_version: str | None = None
    object: str | None = None
    type: str | None = None
    id: bytes | None = None
    slot_description: str | None = None
    slot_manufacturer: str | None = None
    subject: str | None = None
    module_path: str | None = None
    module_name: str | None = None
    pin_source: str | None = None
    #: attributes as given, for messages (never contains a PIN: pin-value is refused)
    raw: str = field(default="", compare=False)

    @property
    def selects_object(self) -> bool:
        """True when the URI names a certificate or key (not only a token)."""
        return any(v is not None for v in (self.object, self.id, self.subject))

    def with_(self, **changes: Any) -> Pkcs11Uri:
        return replace(self, **changes)

    def __str__(self) -> str:
        return format_uri(self)


#: a ``pin-value`` attribute anywhere in a URI (name possibly percent-encoded or spaced)
_PIN_VALUE = re.compile(r"((?:^|[;?&:])\s*pin(?:-|%2d)value\s*=)[^;&?#]*", re.IGNORECASE)


def redact_uri(uri: str) -> str:
    """``uri`` with the value of any ``pin-value`` attribute replaced by ``***``."""
    return _PIN_VALUE.sub(r"\1***", uri)


def _invalid(uri: str, why: Msg) -> InputError:
    uri = redact_uri(uri)  # a message must never carry a PIN, whatever else is wrong
    return InputError(
        Msg(
            f"URI PKCS#11 không hợp lệ '{uri}': {why.vi}",
            f"Invalid PKCS#11 URI '{uri}': {why.en}",
        ),
        details={"uri": uri},
    )


def _pct_decode(value: str, uri: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "%":
            hx = value[i + 1 : i + 3]
            if len(hx) != 2 or not set(hx) <= _HEX:
                raise _invalid(
                    uri,
                    Msg(
                        "ký tự '%' phải đi kèm hai chữ số hex (ví dụ %20 cho dấu cách)",
                        "'%' must be followed by two hex digits (e.g. %20 for a space)",
                    ),
                )
            out.append(int(hx, 16))
            i += 3
        else:
            out += ch.encode("utf-8")
            i += 1
    return bytes(out)


def _text(raw: bytes, name: str, uri: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid(
            uri,
            Msg(
                f"giá trị của '{name}' không phải UTF-8 hợp lệ",
                f"the value of '{name}' is not valid UTF-8",
            ),
        ) from None
    return unicodedata.normalize("NFC", text)


def _split(part: str, sep: str) -> list[tuple[str, str]]:
    items = []
    for chunk in part.split(sep):
        if not chunk:
            continue
        name, eq, value = chunk.partition("=")
        items.append((name.strip().lower(), value if eq else "\0"))
    return items


def _attributes(uri: str, path: str, query: str) -> dict[str, str | bytes]:
    """The path and query attributes, percent-decoded (``id`` as bytes); unknown,
    valueless and repeated attributes are refused."""
    values: dict[str, str | bytes] = {}
    for section, sep, allowed in (
        ("path", ";", PATH_ATTRIBUTES + VENDOR_ATTRIBUTES),
        ("query", "&", QUERY_ATTRIBUTES + VENDOR_ATTRIBUTES),
    ):
        for name, value in _split(path if section == "path" else query, sep):
            if value == "\0":
                raise _invalid(
                    uri,
                    Msg(
                        f"thuộc tính '{name}' thiếu dấu '=' và giá trị",
                        f"attribute '{name}' has no '=value'",
                    ),
                )
            if name not in allowed:
                raise _invalid(
                    uri,
                    Msg(
                        "thuộc tính '{n}' không được hỗ trợ ở đây (hỗ trợ: {a})".format(
                            n=name, a=", ".join(allowed)
                        ),
                        "attribute '{n}' is not supported here (supported: {a})".format(
                            n=name, a=", ".join(allowed)
                        ),
                    ),
                )
            if name in values:
                raise _invalid(
                    uri,
                    Msg(
                        f"thuộc tính '{name}' xuất hiện hai lần",
                        f"attribute '{name}' appears twice",
                    ),
                )
            raw = _pct_decode(value, uri)
            values[name] = raw if name == "id" else _text(raw, name, uri)
    return values


def _refuse_unsafe(uri: str, values: dict[str, str | bytes]) -> None:
    """Refuse what vbsign will not do: a PIN in the URI, selection by slot number, an
    object type that cannot sign, a PIN source other than a file."""
    if "pin-value" in values:
        raise _invalid(
            uri.split("?", 1)[0] + "?…",
            Msg(
                "không chấp nhận 'pin-value' (PIN trong URI sẽ lộ qua lịch sử lệnh, danh sách "
                "tiến trình và nhật ký); dùng --pin-env, 'pin-source=file:…' hoặc nhập khi được hỏi",
                "'pin-value' is refused (a PIN in a URI leaks through shell history, process "
                "lists and logs); use --pin-env, 'pin-source=file:…' or the prompt",
            ),
        )
    if "slot-id" in values:
        raise _invalid(
            uri,
            Msg(
                "không chọn thiết bị theo số khe 'slot-id' (số khe thay đổi khi cắm lại hoặc khởi "
                "tạo thiết bị); dùng 'token=' (nhãn) hoặc 'serial='",
                "tokens are not selected by 'slot-id' (slot numbers change when a token is "
                "re-plugged or initialised); use 'token=' (label) or 'serial='",
            ),
        )
    obj_type = values.get("type")
    if isinstance(obj_type, str) and obj_type not in ("cert", "private", "public"):
        raise _invalid(
            uri,
            Msg(
                f"'type' phải là cert, private hoặc public (không ký bằng '{obj_type}')",
                f"'type' must be cert, private or public (cannot sign with '{obj_type}')",
            ),
        )
    pin_source = values.get("pin-source")
    if isinstance(pin_source, str) and not pin_source.startswith(("file:", "/")):
        raise _invalid(
            uri,
            Msg(
                "'pin-source' chỉ hỗ trợ dạng file:/đường/dẫn",
                "'pin-source' supports only file:/path",
            ),
        )


def parse_uri(text: str) -> Pkcs11Uri:
    """Parse an RFC 7512 URI (see module docs for what is accepted and refused)."""
    uri = text.strip()
    if not uri.lower().startswith(SCHEME):
        raise _invalid(uri, Msg("phải bắt đầu bằng 'pkcs11:'", "must start with 'pkcs11:'"))
    body = uri[len(SCHEME) :]
    path, _, query = body.partition("?")
    if "#" in query:  # a fragment has no meaning here; most likely a typo
        raise _invalid(uri, Msg("không được chứa '#'", "must not contain '#'"))
    values = _attributes(uri, path, query)
    _refuse_unsafe(uri, values)

    def s(name: str) -> str | None:
        v = values.get(name)
        return v if isinstance(v, str) else None

    ident = values.get("id")
    return Pkcs11Uri(
        token=s("token"),
        manufacturer=s("manufacturer"),
        serial=s("serial"),
        model=s("model"),
        library_manufacturer=s("library-manufacturer"),
        library_description=s("library-description"),
        library_version=s("library-version"),
        object=s("object"),
        type=s("type"),
        id=ident if isinstance(ident, bytes) else None,
        slot_description=s("slot-description"),
        slot_manufacturer=s("slot-manufacturer"),
        subject=s("x-subject"),
        module_path=s("module-path"),
        module_name=s("module-name"),
        pin_source=s("pin-source"),
        raw=uri,
    )


def pct_encode(value: str | bytes, *, keep: str = "") -> str:
    """Percent-encode everything except RFC 3986 unreserved characters (and ``keep``)."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    safe = _UNRESERVED | frozenset(keep)
    return "".join(chr(b) if chr(b) in safe and b < 128 else f"%{b:02X}" for b in data)


def format_uri(uri: Pkcs11Uri, *, include_module: bool = True) -> str:
    """The canonical text of ``uri`` (attribute order fixed; pin-source never printed)."""
    path: list[tuple[str, str | bytes | None]] = [
        ("token", uri.token),
        ("manufacturer", uri.manufacturer),
        ("serial", uri.serial),
        ("model", uri.model),
        ("library-manufacturer", uri.library_manufacturer),
        ("library-description", uri.library_description),
        ("library-version", uri.library_version),
        ("slot-manufacturer", uri.slot_manufacturer),
        ("slot-description", uri.slot_description),
        ("object", uri.object),
        ("id", uri.id),
        ("type", uri.type),
        ("x-subject", uri.subject),
    ]
    out = SCHEME + ";".join(
        f"{name}={pct_encode(value)}" for name, value in path if value is not None
    )
    query = []
    if include_module and uri.module_path:
        query.append(f"module-path={pct_encode(uri.module_path, keep='/:')}")
    elif include_module and uri.module_name:
        query.append(f"module-name={pct_encode(uri.module_name)}")
    if query:
        out += "?" + "&".join(query)
    return out


__all__ = ["Pkcs11Uri", "format_uri", "parse_uri", "pct_encode"]
