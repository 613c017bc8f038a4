"""Finding things on PKCS#11 tokens: modules, tokens, certificates, keys — and naming them.

Everything here reads; nothing signs and nothing logs in. Objects are enumerated by class
and matched in Python rather than with ``C_FindObjects`` label templates: some vendor
modules compare labels byte-wise in a legacy encoding or mishandle non-ASCII templates
(the "StopIteration for ``TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate``" reports against
pyHanko #456/#457), and a token holds a handful of objects, so this costs nothing. Labels
are compared after Unicode NFC normalisation, exactly first and case-insensitively second.
An object whose attributes cannot be read (python-pkcs11 #180: ``MemoryError`` from a
vendor module reporting a bogus length) is skipped with a warning instead of aborting.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pkcs11
from asn1crypto import x509
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11 import exceptions as p11e
from pkcs11.attributes import AttributeMapper

from vbsign._core.i18n import Msg
from vbsign.backends.pkcs11_errors import (
    CKF_PROTECTED_AUTHENTICATION_PATH,
    CKF_TOKEN_INITIALIZED,
    AmbiguousSelection,
    ModuleLoadError,
    ObjectNotFound,
    PinState,
    TokenNotFound,
    TokenUnavailable,
)
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri

logger = logging.getLogger(__name__)

#: python-pkcs11 errors meaning "the token / module is gone or not answering"
GONE_ERRORS: tuple[type[BaseException], ...] = (
    p11e.DeviceRemoved,
    p11e.TokenNotPresent,
    p11e.TokenNotRecognised,
    p11e.SessionHandleInvalid,
    p11e.SessionClosed,
    p11e.DeviceError,
    p11e.DeviceMemory,
    p11e.GeneralError,
    p11e.SlotIDInvalid,
)


def is_gone(exc: BaseException) -> bool:
    """True for errors that mean the token was removed or the module was finalised."""
    # CKR_CRYPTOKI_NOT_INITIALIZED has no dedicated class in python-pkcs11 0.9
    return isinstance(exc, GONE_ERRORS) or type(exc) is p11e.PKCS11Error


def gone_error(what: Msg, exc: BaseException) -> TokenUnavailable:
    return TokenUnavailable(
        Msg(
            f"Thiết bị ký không còn phản hồi khi {what.vi} (đã rút token, hoặc trình điều khiển "
            f"bị đóng): {type(exc).__name__}",
            f"The token stopped answering while {what.en} (token removed, or the driver was "
            f"shut down): {type(exc).__name__}",
        )
    )


# ---- text helpers ---------------------------------------------------------------------------


def norm(text: str | None) -> str:
    """NFC-normalised, stripped of the space/NUL padding PKCS#11 fixed-size fields carry."""
    return unicodedata.normalize("NFC", (text or "").strip(" \0\t"))


def decode_label(raw: bytes) -> str:
    """CKA_LABEL bytes → text: UTF-8 as the standard says; Windows-1258 or Latin-1 if not."""
    raw = raw.rstrip(b"\0 ")
    for enc in ("utf-8", "cp1258"):
        try:
            return norm(raw.decode(enc))
        except UnicodeDecodeError:
            continue
    return norm(raw.decode("latin-1"))


class TolerantMapper(AttributeMapper):
    """python-pkcs11 attribute mapper that never fails on a badly encoded label."""

    def __init__(self) -> None:
        super().__init__()
        self.register_handler(Attribute.LABEL, lambda s: str(s).encode("utf-8"), decode_label)


def labels_equal(a: str | None, b: str | None, *, fold: bool = False) -> bool:
    if a is None or b is None:
        return False
    x, y = norm(a), norm(b)
    return x.casefold() == y.casefold() if fold else x == y


# ---- modules and tokens ---------------------------------------------------------------------


def load_library(path: str) -> Any:
    """Load (or reuse) the PKCS#11 module at ``path``; re-initialise it if it was finalised.

    A module may be initialised only once per process, and python-pkcs11 caches modules by
    the path string: a module already loaded under another name for the same file (a
    symlink, e.g. by pyHanko in the host application) is reused instead of failing with
    CKR_CRYPTOKI_ALREADY_INITIALIZED.
    """
    real = os.path.realpath(path)
    for so in list(pkcs11._loaded):
        if so != path and os.path.realpath(so) == real:
            path = so
            break
    try:
        return pkcs11.lib(path)
    except (p11e.PKCS11Error, OSError) as e:
        raise ModuleLoadError(
            Msg(
                f"Không nạp được mô-đun PKCS#11 {path}: {e or type(e).__name__}",
                f"Cannot load the PKCS#11 module {path}: {e or type(e).__name__}",
            ),
            details={"module": path},
        ) from e


@dataclass(frozen=True)
class TokenInfo:
    """What a slot's token says about itself (CK_TOKEN_INFO), plus its slot's description."""

    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int
    slot_description: str = ""
    slot_manufacturer: str = ""

    @property
    def pin_state(self) -> PinState:
        return PinState.from_flags(self.flags)

    @property
    def protected_auth(self) -> bool:
        """The token has a PIN pad / protected authentication path."""
        return bool(self.flags & CKF_PROTECTED_AUTHENTICATION_PATH)

    @property
    def initialized(self) -> bool:
        return bool(self.flags & CKF_TOKEN_INITIALIZED)

    def flag_names(self) -> list[str]:
        names = []
        st = self.pin_state
        if st.locked:
            names.append("PIN_LOCKED")
        if st.final_try:
            names.append("PIN_FINAL_TRY")
        if st.count_low:
            names.append("PIN_COUNT_LOW")
        if st.to_be_changed:
            names.append("PIN_TO_BE_CHANGED")
        if self.protected_auth:
            names.append("PIN_PAD")
        return names

    @classmethod
    def of(cls, slot: Any, token: Any) -> TokenInfo:
        serial = token.serial.decode("ascii", "replace") if isinstance(token.serial, bytes) else str(token.serial)
        return cls(
            label=norm(token.label),
            serial=norm(serial),
            manufacturer=norm(token.manufacturer_id),
            model=norm(token.model),
            flags=int(token.flags),
            slot_description=norm(getattr(slot, "slot_description", "")),
            slot_manufacturer=norm(getattr(slot, "manufacturer_id", "")),
        )


@dataclass
class FoundToken:
    slot: Any
    token: Any
    info: TokenInfo


def find_tokens(lib: Any) -> list[FoundToken]:
    """Initialised tokens present in the module's slots (slot numbers are never shown)."""
    out: list[FoundToken] = []
    try:
        slots = lib.get_slots(token_present=True)
    except p11e.PKCS11Error as e:
        raise gone_error(Msg("liệt kê khe cắm", "listing slots"), e) from e
    for slot in slots:
        try:
            token = slot.get_token()
        except (p11e.TokenNotPresent, p11e.TokenNotRecognised):
            continue
        except p11e.PKCS11Error as e:
            logger.warning("skipping a slot whose token cannot be read: %s", type(e).__name__)
            continue
        info = TokenInfo.of(slot, token)
        if info.initialized:
            out.append(FoundToken(slot, token, info))
    return out


def _token_matches(info: TokenInfo, uri: Pkcs11Uri, fold: bool) -> bool:
    checks = (
        (uri.token, info.label),
        (uri.serial, info.serial),
        (uri.manufacturer, info.manufacturer),
        (uri.model, info.model),
        (uri.slot_description, info.slot_description),
        (uri.slot_manufacturer, info.slot_manufacturer),
    )
    return all(want is None or labels_equal(want, have, fold=fold) for want, have in checks)


def describe_criteria(uri: Pkcs11Uri) -> str:
    """The selection criteria of ``uri`` in readable form: ``token='VGCA Token', serial='1a2b'``."""
    pairs = [
        ("token", uri.token),
        ("serial", uri.serial),
        ("manufacturer", uri.manufacturer),
        ("model", uri.model),
        ("object", uri.object),
        ("id", uri.id.hex() if uri.id is not None else None),
        ("x-subject", uri.subject),
    ]
    return ", ".join(f"{k}='{v}'" for k, v in pairs if v is not None) or "(any)"


def token_uri(info: TokenInfo, others: Sequence[TokenInfo], module_path: str | None) -> Pkcs11Uri:
    """The shortest URI naming this token among ``others``: label, plus serial if shared."""
    same_label = [o for o in others if o.label == info.label]
    return Pkcs11Uri(
        token=info.label or None,
        serial=info.serial if len(same_label) > 1 or not info.label else None,
        module_path=module_path,
    )


def select_token(tokens: list[FoundToken], uri: Pkcs11Uri, module_path: str) -> FoundToken:
    """The one token ``uri`` designates; typed errors listing the tokens otherwise."""
    infos = [t.info for t in tokens]
    matched = [t for t in tokens if _token_matches(t.info, uri, fold=False)]
    if not matched:
        matched = [t for t in tokens if _token_matches(t.info, uri, fold=True)]
    listing = [
        f"'{t.info.label}' ({t.info.model}, serial {t.info.serial}): "
        + format_uri(token_uri(t.info, infos, module_path))
        for t in tokens
    ]
    if not matched:
        wanted = describe_criteria(uri)
        avail_vi = "\n".join(f"  {u}" for u in listing) or "  (không có thiết bị nào)"
        avail_en = "\n".join(f"  {u}" for u in listing) or "  (no token present)"
        raise TokenNotFound(
            Msg(
                f"Không tìm thấy thiết bị ký (token) có {wanted}. Hãy cắm token và kiểm tra "
                f"nhãn. Thiết bị đang có:\n{avail_vi}",
                f"No token with {wanted} was found. Plug the token in and check its label. "
                f"Tokens present:\n{avail_en}",
            ),
            details={"available": listing},
        )
    if len(matched) > 1:
        cands = [format_uri(token_uri(t.info, infos, module_path)) for t in matched]
        lines = "\n".join(f"  {u}" for u in cands)
        raise AmbiguousSelection(
            Msg(
                f"Có {len(matched)} thiết bị ký khớp; hãy chỉ rõ bằng một trong các URI:\n{lines}",
                f"{len(matched)} tokens match; name one with one of these URIs:\n{lines}",
            ),
            candidates=cands,
        )
    return matched[0]


# ---- certificates and keys --------------------------------------------------------------------


@dataclass(frozen=True)
class CertEntry:
    """A certificate object on a token."""

    label: str | None
    id: bytes
    certificate: x509.Certificate

    @property
    def common_name(self) -> str:
        return _cn(self.certificate.subject) or str(self.certificate.subject.human_friendly)

    @property
    def subject(self) -> str:
        return dn_text(self.certificate.subject)

    @property
    def issuer(self) -> str:
        return _cn(self.certificate.issuer) or str(self.certificate.issuer.human_friendly)

    @property
    def not_before(self) -> datetime:
        value: datetime = self.certificate.not_valid_before
        return value

    @property
    def not_after(self) -> datetime:
        value: datetime = self.certificate.not_valid_after
        return value

    @property
    def key_description(self) -> str:
        return key_description(self.certificate)


@dataclass(frozen=True)
class KeyEntry:
    """A private or public key object on a token."""

    obj: Any = field(repr=False, compare=False)
    object_class: str
    label: str | None
    id: bytes
    key_type: str | None
    modulus: bytes | None = None
    ec_point: bytes | None = None
    always_authenticate: bool = False
    can_sign: bool = True


_SHORT = {
    "common_name": "CN",
    "title": "T",
    "organizational_unit_name": "OU",
    "organization_name": "O",
    "locality_name": "L",
    "state_or_province_name": "ST",
    "country_name": "C",
    "user_id": "UID",
    "serial_number": "SERIALNUMBER",
    "email_address": "E",
}


def dn_text(name: x509.Name) -> str:
    """``CN=Nguyễn Văn A, T=Thứ trưởng, O=…, C=VN`` (most specific first, as users read it)."""
    parts = []
    for rdn in reversed(name.chosen):
        for ava in rdn:
            kind = ava["type"].native
            parts.append(f"{_SHORT.get(kind, ava['type'].dotted)}={ava['value'].native}")
    return ", ".join(parts)


def _cn(name: x509.Name) -> str | None:
    try:
        cn = name.native.get("common_name")
    except Exception:  # pragma: no cover - malformed name
        return None
    if isinstance(cn, list):
        cn = cn[-1]
    return str(cn) if cn else None


_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def key_description(cert: x509.Certificate) -> str:
    pub = cert.public_key
    algo = pub.algorithm
    if algo == "rsa":
        return f"RSA-{pub.bit_size}"
    if algo == "ec":
        curve = pub.curve[1] if isinstance(pub.curve, tuple) else str(pub.curve)
        return f"ECDSA {_CURVES.get(curve, curve)}"
    return str(algo).upper()


def _attr(obj: Any, attr: Attribute, default: Any = None) -> Any:
    try:
        return obj[attr]
    except (p11e.AttributeTypeInvalid, p11e.AttributeSensitive, NotImplementedError, KeyError):
        return default


def _read_objects(session: Any, object_class: ObjectClass) -> list[Any]:
    try:
        return list(session.get_objects({Attribute.CLASS: object_class}))
    except p11e.PKCS11Error as e:
        if is_gone(e):
            raise gone_error(Msg("đọc danh sách đối tượng", "listing objects"), e) from e
        raise ObjectNotFound(
            Msg(
                f"Không đọc được danh sách đối tượng trên thiết bị: {type(e).__name__}",
                f"Cannot list the objects on the token: {type(e).__name__}",
            )
        ) from e


def read_certificates(session: Any) -> tuple[list[CertEntry], list[Msg]]:
    """X.509 certificate objects on the token, and warnings for unreadable ones."""
    out: list[CertEntry] = []
    warnings: list[Msg] = []
    for obj in _read_objects(session, ObjectClass.CERTIFICATE):
        try:
            value = obj[Attribute.VALUE]
            label = _attr(obj, Attribute.LABEL)
            ident = _attr(obj, Attribute.ID, b"") or b""
        except (p11e.PKCS11Error, MemoryError, UnicodeDecodeError) as e:
            if isinstance(e, p11e.PKCS11Error) and is_gone(e):
                raise gone_error(Msg("đọc chứng thư số", "reading certificates"), e) from e
            warnings.append(
                Msg(
                    f"Bỏ qua một đối tượng chứng thư không đọc được ({type(e).__name__}).",
                    f"Skipped an unreadable certificate object ({type(e).__name__}).",
                )
            )
            continue
        try:
            cert = x509.Certificate.load(bytes(value))
            _ = cert.subject.native, cert.issuer.native, cert.public_key.algorithm  # force parse
        except Exception:
            warnings.append(
                Msg(
                    f"Bỏ qua đối tượng '{label or ident.hex()}': không phải chứng thư X.509 hợp lệ.",
                    f"Skipped object '{label or ident.hex()}': not a valid X.509 certificate.",
                )
            )
            continue
        out.append(CertEntry(label=norm(label) if label else None, id=bytes(ident), certificate=cert))
    return out, warnings


def read_keys(session: Any, object_class: ObjectClass) -> list[KeyEntry]:
    """Private or public key objects (private keys are visible only after login)."""
    kind = "private" if object_class == ObjectClass.PRIVATE_KEY else "public"
    out: list[KeyEntry] = []
    for obj in _read_objects(session, object_class):
        try:
            key_type = _attr(obj, Attribute.KEY_TYPE)
            label = _attr(obj, Attribute.LABEL)
            ident = _attr(obj, Attribute.ID, b"") or b""
            modulus = _attr(obj, Attribute.MODULUS) if key_type == KeyType.RSA else None
            point = _attr(obj, Attribute.EC_POINT) if key_type == KeyType.EC and kind == "public" else None
            always = bool(_attr(obj, Attribute.ALWAYS_AUTHENTICATE, False)) if kind == "private" else False
            can_sign = bool(_attr(obj, Attribute.SIGN, True)) if kind == "private" else True
        except (p11e.PKCS11Error, MemoryError) as e:
            if isinstance(e, p11e.PKCS11Error) and is_gone(e):
                raise gone_error(Msg("đọc khóa", "reading keys"), e) from e
            logger.warning("skipping an unreadable %s key object (%s)", kind, type(e).__name__)
            continue
        out.append(
            KeyEntry(
                obj=obj,
                object_class=kind,
                label=norm(label) if label else None,
                id=bytes(ident),
                key_type={KeyType.RSA: "rsa", KeyType.EC: "ec"}.get(key_type, str(key_type)),
                modulus=bytes(modulus).lstrip(b"\0") if modulus else None,
                ec_point=bytes(point) if point else None,
                always_authenticate=always,
                can_sign=can_sign,
            )
        )
    return out


def rsa_modulus(cert: x509.Certificate) -> bytes | None:
    pub = cert.public_key
    if pub.algorithm != "rsa":
        return None
    n: int = pub["public_key"].parsed["modulus"].native
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def ec_point(cert: x509.Certificate) -> bytes | None:
    pub = cert.public_key
    if pub.algorithm != "ec":
        return None
    return bytes(pub["public_key"].native)


def key_matches_cert(key: KeyEntry, cert: x509.Certificate) -> bool | None:
    """True/False when the key's public part can be compared with the certificate, else None."""
    algo = cert.public_key.algorithm
    if key.key_type and key.key_type != {"rsa": "rsa", "ec": "ec"}.get(algo, algo):
        return False
    if key.modulus is not None and algo == "rsa":
        return key.modulus == rsa_modulus(cert)
    if key.ec_point is not None and algo == "ec":
        point = ec_point(cert)
        # CKA_EC_POINT is normally a DER OCTET STRING wrapping the point
        return key.ec_point == point or key.ec_point.endswith(point or b"\0")
    return None


def subject_matches(cert: x509.Certificate, wanted: str, *, loose: bool = False) -> bool:
    want = norm(wanted).casefold()
    values: list[str] = []
    for rdn in cert.subject.chosen:
        for ava in rdn:
            v = ava["value"].native
            values.append(norm(str(v)).casefold())
    if want in values:
        return True
    return loose and want in norm(cert.subject.human_friendly).casefold()


def _match_label_or_id(label: str | None, ident: bytes, uri: Pkcs11Uri, fold: bool) -> bool:
    if uri.object is not None and not labels_equal(label, uri.object, fold=fold):
        return False
    return uri.id is None or ident == uri.id


def select_certificate(
    entries: list[CertEntry],
    uri: Pkcs11Uri,
    *,
    keys: list[KeyEntry] | None = None,
    uri_for: Callable[[CertEntry], str],
    token_label: str,
) -> CertEntry:
    """The certificate ``uri`` designates (its key is found later by CKA_ID / public key).

    ``object=``/``id=`` name a certificate, or (when no certificate carries that label/ID)
    a public key object whose CKA_ID is shared with a certificate; ``type=public`` names
    public key objects only (``type=private`` keys are checked again after login). Without any object attribute the token must hold exactly one
    end-entity certificate.
    """
    cands: list[CertEntry] = []
    if uri.type in (None, "cert", "private"):
        for fold in (False, True):
            cands = [e for e in entries if _match_label_or_id(e.label, e.id, uri, fold)]
            if cands or (uri.object is None and uri.id is None):
                break
    if not cands and uri.type != "cert" and keys and (uri.object is not None or uri.id is not None):
        for fold in (False, True):
            ids = {k.id for k in keys if k.id and _match_label_or_id(k.label, k.id, uri, fold)}
            cands = [e for e in entries if e.id in ids]
            if cands:
                break
    if uri.subject is not None:
        exact = [e for e in cands if subject_matches(e.certificate, uri.subject)]
        cands = exact or [e for e in cands if subject_matches(e.certificate, uri.subject, loose=True)]
    if not uri.selects_object and len(cands) > 1:
        end_entity = [e for e in cands if not e.certificate.ca]
        cands = end_entity or cands
    if not cands:
        avail = [describe_entry(e, uri_for(e)) for e in entries if not e.certificate.ca]
        lines = "\n".join(f"  {a}" for a in avail) or "  -"
        raise ObjectNotFound(
            Msg(
                f"Trên thiết bị '{token_label}' không có chứng thư số khớp với "
                f"{describe_criteria(uri)}. Chứng thư đang có:\n{lines}",
                f"No certificate on token '{token_label}' matches "
                f"{describe_criteria(uri)}. Certificates present:\n{lines}",
            ),
            details={"available": avail},
        )
    if len(cands) > 1:
        uris = [uri_for(e) for e in cands]
        lines = "\n".join(f"  {describe_entry(e, u)}" for e, u in zip(cands, uris, strict=True))
        raise AmbiguousSelection(
            Msg(
                f"Thiết bị '{token_label}' có {len(cands)} chứng thư số khớp; hãy chỉ rõ bằng "
                f"một trong các URI sau:\n{lines}",
                f"Token '{token_label}' holds {len(cands)} matching certificates; name one "
                f"with one of these URIs:\n{lines}",
            ),
            candidates=uris,
        )
    return cands[0]


def describe_entry(entry: CertEntry, uri: str) -> str:
    """One line: who, issued by whom, valid until when, and the URI that selects it."""
    until = entry.not_after.strftime("%d/%m/%Y")
    return f"{entry.common_name} ({entry.key_description}; {entry.issuer}; → {until}): {uri}"


def certificate_uri(
    entry: CertEntry,
    entries: Sequence[CertEntry],
    token: Pkcs11Uri,
) -> Pkcs11Uri:
    """The shortest unambiguous URI for ``entry`` on its token (label, else ID, else both)."""
    same_label = [e for e in entries if e.label == entry.label]
    same_id = [e for e in entries if e.id == entry.id]
    if entry.label and len(same_label) == 1:
        return token.with_(object=entry.label)
    if entry.id and len(same_id) == 1:
        return token.with_(id=entry.id)
    both = [e for e in same_label if e.id == entry.id]
    if entry.label and entry.id and len(both) == 1:
        return token.with_(object=entry.label, id=entry.id)
    return token.with_(object=entry.label, id=entry.id or None, subject=entry.common_name)


def build_chain(cert: x509.Certificate, pool: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """Issuer certificates of ``cert`` found in ``pool``, nearest first, up to a root."""
    certs = {c.dump(): c for c in pool}
    chain: list[x509.Certificate] = []
    current = cert
    seen = {cert.dump()}
    for _ in range(10):
        if current.self_signed in ("yes", "maybe"):
            break
        issuer = _find_issuer(current, certs.values())
        if issuer is None or issuer.dump() in seen:
            break
        chain.append(issuer)
        seen.add(issuer.dump())
        current = issuer
    return chain


def _find_issuer(cert: x509.Certificate, pool: Iterable[x509.Certificate]) -> x509.Certificate | None:
    aki = cert.authority_key_identifier
    fallback = None
    for c in pool:
        if c.subject != cert.issuer:
            continue
        if aki is None or c.key_identifier == aki:
            return c
        fallback = fallback or c
    return fallback


# ---- listing (``vbsign token list``) ----------------------------------------------------------


@dataclass
class TokenListing:
    info: TokenInfo
    uri: str
    certificates: list[tuple[CertEntry, str]] = field(default_factory=list)
    warnings: list[Msg] = field(default_factory=list)
    error: Msg | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.info.label,
            "serial": self.info.serial,
            "manufacturer": self.info.manufacturer,
            "model": self.info.model,
            "flags": self.info.flag_names(),
            "pin_state": self.info.pin_state.to_dict(),
            "uri": self.uri,
            "certificates": [
                {
                    "label": e.label,
                    "id": e.id.hex(),
                    "subject": e.subject,
                    "common_name": e.common_name,
                    "issuer": e.issuer,
                    "not_before": e.not_before.isoformat(),
                    "not_after": e.not_after.isoformat(),
                    "key": e.key_description,
                    "ca": bool(e.certificate.ca),
                    "uri": uri,
                }
                for e, uri in self.certificates
            ],
            "warnings": [w.get() for w in self.warnings],
            "error": self.error.get() if self.error else None,
        }


@dataclass
class ModuleListing:
    path: str
    manufacturer: str
    description: str
    version: str
    tokens: list[TokenListing] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "module": self.path,
            "manufacturer": self.manufacturer,
            "description": self.description,
            "version": self.version,
            "tokens": [t.to_dict() for t in self.tokens],
        }


def list_module(path: str) -> ModuleListing:
    """Tokens and certificates a module exposes — public objects only, no login, no PIN."""
    lib = load_library(path)
    listing = ModuleListing(
        path=path,
        manufacturer=norm(getattr(lib, "manufacturer_id", "")),
        description=norm(getattr(lib, "library_description", "")),
        version=".".join(str(x) for x in getattr(lib, "library_version", ())),
    )
    tokens = find_tokens(lib)
    infos = [t.info for t in tokens]
    for found in tokens:
        tok_uri = token_uri(found.info, infos, path)
        item = TokenListing(found.info, format_uri(tok_uri))
        try:
            session = found.token.open(attribute_mapper=TolerantMapper())
            try:
                entries, item.warnings = read_certificates(session)
            finally:
                session.close()
        except (p11e.PKCS11Error, TokenUnavailable, ObjectNotFound) as e:
            msg = e.msg if isinstance(e, (TokenUnavailable, ObjectNotFound)) else Msg(type(e).__name__, type(e).__name__)
            item.error = msg
            entries = []
        end_entity = sorted((e for e in entries if not e.certificate.ca), key=lambda e: e.common_name)
        cas = [e for e in entries if e.certificate.ca]
        item.certificates = [(e, format_uri(certificate_uri(e, entries, tok_uri))) for e in end_entity + cas]
        listing.tokens.append(item)
    return listing


__all__ = [
    "CertEntry",
    "FoundToken",
    "KeyEntry",
    "ModuleListing",
    "TokenListing",
    "TokenInfo",
    "TolerantMapper",
    "build_chain",
    "certificate_uri",
    "decode_label",
    "describe_entry",
    "find_tokens",
    "is_gone",
    "key_description",
    "list_module",
    "load_library",
    "read_certificates",
    "read_keys",
    "select_certificate",
    "select_token",
    "token_uri",
]


# ---- third-party validations (PKCS#11 3.2 CKO_VALIDATION objects) ----------------------------
CKO_VALIDATION = 0x0000000A
CKA_VALIDATION_VERSION = 0x620
CKA_VALIDATION_LEVEL = 0x621
CKA_VALIDATION_MODULE_ID = 0x622
CKA_VALIDATION_AUTHORITY_TYPE = 0x624
CKA_VALIDATION_CERTIFICATE_IDENTIFIER = 0x626
_AUTHORITIES = {1: "FIPS 140", 2: "Common Criteria"}


def read_validations(session: Any) -> tuple[tuple[str, ...], int | None]:
    """The validations a module reports (e.g. ``("FIPS 140 level 2 (#4567)",)``) and the
    highest FIPS level among them. Modules before PKCS#11 3.2 (and libraries that do not know
    the object class, python-pkcs11 among them) report none: ``((), None)``, never an error."""
    try:
        objects = list(session.get_objects({Attribute.CLASS: CKO_VALIDATION}))
    except Exception:  # class unknown to the module or to python-pkcs11: nothing reported
        return (), None
    found: list[str] = []
    level: int | None = None
    for obj in objects:
        try:
            authority = _AUTHORITIES.get(int(obj[CKA_VALIDATION_AUTHORITY_TYPE]), "validation")
            lvl = int(obj[CKA_VALIDATION_LEVEL])
            ident = str(obj[CKA_VALIDATION_CERTIFICATE_IDENTIFIER] or "")
        except Exception:
            continue
        found.append(f"{authority} level {lvl}" + (f" ({ident})" if ident else ""))
        if authority == "FIPS 140":
            level = max(level or 0, lvl)
    return tuple(found), level
