"""Importing certificates: read files and folders, match subscribers, skip duplicates.

* Files: PEM (one or many), DER, PKCS#7 bundles (``.p7b``/``.p7c``, PEM or DER); folders
  are walked recursively for the usual certificate suffixes. A file that cannot be read is
  reported and the others are still imported.
* Duplicates are recognised by SHA-256 fingerprint (already in the registry, or twice in
  the same import) and skipped.
* Matching a certificate to a subscriber: first by ``UID`` (``CCCD:…``, ``MST:…``) equal to
  the subscriber's identifier; else by common name equal to the subscriber's name (Unicode
  NFC, case-insensitive) *and* the subject's O/OU naming the subscriber's unit or one of its
  parents. Two candidates are never guessed between: the certificate stays unmatched and
  the import says why. CA certificates are never matched.
* A certificate matched to a subscriber who already holds an older certificate from the
  same issuer is recorded as its renewal when the key is the same, a renewal request was
  filed, or the old one was still valid when the new one started; otherwise it is a new
  issuance (this decides which legal maximum validity applies: 5 years new, 3 renewal).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from vbsign._core.bounds import CERTIFICATE_FILE, read_bounded
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign._core.x509 import read_certificates
from vbsign.policy.classify import (
    ORGANISATION_UID_PREFIXES,
    PERSON_UID_PREFIXES,
    is_personal_name,
    names_a_body,
)
from vbsign.registry.certinfo import (
    CertFields,
    normalise_name,
    normalise_uid,
    organisation_names,
    read_fields,
)
from vbsign.registry.models import Certificate, CertRequest, Subscriber, Unit, table_of

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".p7b", ".p7c", ".p7s")


@dataclass(frozen=True)
class SourceCert:
    certificate: x509.Certificate
    source: str


@dataclass(frozen=True)
class ImportProblem:
    source: str
    message: Msg

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "message_vi": self.message.vi, "message_en": self.message.en}


@dataclass(frozen=True)
class ImportedCert:
    fingerprint: str
    subject_cn: str | None
    source: str
    #: "added" or "duplicate"
    outcome: str
    is_ca: bool
    subscriber_id: int | None = None
    subscriber_name: str | None = None
    #: "uid", "subject", "assigned", "created" or None
    matched_by: str | None = None
    renewal_of: str | None = None
    note: Msg | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "subject_cn": self.subject_cn,
            "source": self.source,
            "outcome": self.outcome,
            "is_ca": self.is_ca,
            "subscriber_id": self.subscriber_id,
            "subscriber_name": self.subscriber_name,
            "matched_by": self.matched_by,
            "renewal_of": self.renewal_of,
            "note_vi": self.note.vi if self.note else None,
            "note_en": self.note.en if self.note else None,
        }


@dataclass
class ImportResult:
    items: list[ImportedCert] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def added(self) -> list[ImportedCert]:
        return [i for i in self.items if i.outcome == "added"]

    @property
    def duplicates(self) -> list[ImportedCert]:
        return [i for i in self.items if i.outcome == "duplicate"]

    @property
    def matched(self) -> list[ImportedCert]:
        return [i for i in self.added if i.subscriber_id is not None]

    @property
    def unmatched(self) -> list[ImportedCert]:
        return [i for i in self.added if i.subscriber_id is None and not i.is_ca]

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "duplicates": len(self.duplicates),
            "matched": len(self.matched),
            "unmatched": len(self.unmatched),
            "errors": len(self.problems),
            "items": [i.to_dict() for i in self.items],
            "problems": [p.to_dict() for p in self.problems],
        }


# ---- reading ---------------------------------------------------------------------------------


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[SourceCert], list[ImportProblem]]:
    """Certificates from files and folders (recursively), with a problem per unreadable file."""

    found: list[SourceCert] = []
    problems: list[ImportProblem] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = sorted(
                f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in CERT_SUFFIXES
            )
            if not files:
                problems.append(
                    ImportProblem(
                        str(path),
                        Msg("Thư mục không có tệp chứng thư nào.", "The folder contains no certificate file."),
                    )
                )
        elif path.is_file():
            files = [path]
        else:
            problems.append(ImportProblem(str(path), Msg("Không tìm thấy tệp.", "File not found.")))
            continue
        for f in files:
            try:
                data = read_bounded(f, CERTIFICATE_FILE)
            except InputError as e:  # too large, unreadable: named with its reason
                problems.append(ImportProblem(str(f), e.msg))
                continue
            try:
                certs = read_certificates(data)
            except InputError:
                problems.append(
                    ImportProblem(
                        str(f),
                        Msg(
                            "Không đọc được chứng thư số (cần PEM, DER hoặc PKCS#7).",
                            "No certificate could be read (PEM, DER or PKCS#7 expected).",
                        ),
                    )
                )
                continue
            except OSError as e:
                problems.append(
                    ImportProblem(str(f), Msg("Không đọc được tệp: {e}", "Cannot read the file: {e}").format(e=e))
                )
                continue
            found += [SourceCert(c, str(f)) for c in certs]
    return found, problems


# ---- matching --------------------------------------------------------------------------------


@dataclass
class _Directory:
    """Subscribers and units in memory for matching (a ministry has thousands, not millions)."""

    by_uid: dict[str, Subscriber]
    by_name: dict[str, list[Subscriber]]
    unit_names: dict[int, set[str]]  # unit id -> normalised names of the unit and its parents
    units_by_name: dict[str, Unit]

    @classmethod
    def load(cls, session: Session) -> _Directory:
        units = {u.id: u for u in session.execute(select(Unit)).scalars()}
        unit_names: dict[int, set[str]] = {}
        for uid, unit in units.items():
            names: set[str] = set()
            cur: Unit | None = unit
            seen: set[int] = set()
            while cur is not None and cur.id not in seen:
                seen.add(cur.id)
                names.add(normalise_name(cur.name))
                cur = units.get(cur.parent_id) if cur.parent_id is not None else None
            unit_names[uid] = names
        by_uid: dict[str, Subscriber] = {}
        by_name: dict[str, list[Subscriber]] = {}
        for s in session.execute(select(Subscriber).where(Subscriber.active.is_(True))).scalars():
            if s.uid:
                by_uid[normalise_uid(s.uid) or s.uid] = s
            by_name.setdefault(normalise_name(s.full_name), []).append(s)
        units_by_name = {normalise_name(u.name): u for u in units.values()}
        return cls(by_uid, by_name, unit_names, units_by_name)

    def match(self, f: CertFields) -> tuple[Subscriber | None, str | None, Msg | None]:
        if f.subject_uid and f.subject_uid in self.by_uid:
            return self.by_uid[f.subject_uid], "uid", None
        candidates = self.by_name.get(normalise_name(f.subject_cn), [])
        if not candidates:
            return None, None, None
        orgs = organisation_names(f)
        in_unit = [s for s in candidates if orgs & self.unit_names.get(s.unit_id, set())]
        if len(in_unit) == 1:
            return in_unit[0], "subject", None
        if len(in_unit) > 1 or len(candidates) > 1:
            return None, None, Msg(
                "Có {n} thuê bao trùng tên \"{c}\": không tự ghép, hãy chỉ định thuê bao.",
                "{n} subscribers are named \"{c}\": not matched automatically, assign one explicitly.",
            ).format(n=max(len(in_unit), len(candidates)), c=f.subject_cn)
        return None, None, Msg(
            "Tên \"{c}\" trùng một thuê bao nhưng O/OU của chứng thư không khớp đơn vị của thuê bao.",
            "The name \"{c}\" matches a subscriber but the certificate's O/OU do not name their unit.",
        ).format(c=f.subject_cn)

    def unit_for(self, f: CertFields) -> Unit | None:
        """The most specific unit named by the subject's OU (last first), else its O."""
        ous = [normalise_name(p) for p in (f.subject_ou or "").split(" / ") if p]
        for name in [*reversed(ous), normalise_name(f.subject_o)]:
            if name and name in self.units_by_name:
                return self.units_by_name[name]
        return None


def _link_renewals(session: Session, subscriber_ids: set[int], new_fps: set[str]) -> dict[str, str]:
    """Set ``renewal_of_id`` on the newly imported certificates of these subscribers;
    returns ``{new fingerprint: renewed fingerprint}``."""
    if not subscriber_ids:
        return {}
    rows = session.execute(
        select(
            Certificate.id, Certificate.fingerprint, Certificate.subscriber_id, Certificate.issuer,
            Certificate.not_before, Certificate.not_after,
        )
        .where(Certificate.subscriber_id.in_(subscriber_ids), Certificate.is_ca.is_(False))
        .order_by(Certificate.subscriber_id, Certificate.not_before)
    ).all()
    by_sub: dict[int, list[Any]] = {}
    for r in rows:
        by_sub.setdefault(r.subscriber_id, []).append(r)
    requested_subs: set[int] = set()
    requested_certs: set[int] = set()
    for sid, cid in session.execute(
        select(CertRequest.subscriber_id, CertRequest.certificate_id).where(
            CertRequest.kind == "renewal", CertRequest.status.in_(("approved", "completed"))
        )
    ).all():
        if sid is not None:
            requested_subs.add(sid)
        if cid is not None:
            requested_certs.add(cid)
    keys: dict[int, str] = {}

    def key_of(cert_id: int) -> str:
        if cert_id not in keys:
            der = session.execute(select(Certificate.der).where(Certificate.id == cert_id)).scalar_one()
            keys[cert_id] = read_fields(der).public_key_sha256
        return keys[cert_id]

    links: dict[str, str] = {}
    for sid, certs in by_sub.items():
        if len(certs) < 2:
            continue
        for i, new in enumerate(certs):
            if new.fingerprint not in new_fps:
                continue
            previous = [c for c in certs[:i] if c.issuer == new.issuer]
            if not previous:
                continue
            old = previous[-1]
            if (
                old.not_after >= new.not_before
                or sid in requested_subs
                or old.id in requested_certs
                or key_of(old.id) == key_of(new.id)
            ):
                session.execute(
                    update(Certificate).where(Certificate.id == new.id).values(renewal_of_id=old.id)
                )
                links[new.fingerprint] = old.fingerprint
    return links


def _known_fingerprints(session: Session, fps: list[str]) -> set[str]:
    """Which of ``fps`` the registry holds already (queried in chunks of 500)."""
    existing: set[str] = set()
    for i in range(0, len(fps), 500):
        existing.update(
            session.execute(select(Certificate.fingerprint).where(Certificate.fingerprint.in_(fps[i : i + 500])))
            .scalars()
            .all()
        )
    return existing


def _row(
    f: CertFields, source: str, subscriber: Subscriber | None, token_serial: str | None, now: datetime
) -> dict[str, Any]:
    """The ``certificates`` row of one imported certificate."""
    return {
        "fingerprint": f.fingerprint,
        "serial_hex": f.serial_hex,
        "issuer": f.issuer,
        "issuer_cn": f.issuer_cn,
        "subject": f.subject,
        "subject_cn": f.subject_cn,
        "subject_o": f.subject_o,
        "subject_ou": f.subject_ou,
        "subject_uid": f.subject_uid,
        "not_before": f.not_before,
        "not_after": f.not_after,
        "key_type": f.key_type,
        "signature_algorithm": f.signature_algorithm,
        "is_ca": f.is_ca,
        "self_signed": f.self_signed,
        "der": f.der,
        "subscriber_id": subscriber.id if subscriber is not None else None,
        "renewal_of_id": None,
        "token_serial": token_serial,
        "status": "active",
        "source": source[:1000],
        "imported_at": now,
    }


def import_certificates(
    session: Session,
    certs: Sequence[SourceCert],
    *,
    assign_to: Subscriber | None = None,
    token_serial: str | None = None,
    create_missing: bool = False,
) -> ImportResult:
    """Insert ``certs`` (inside the caller's transaction); see the module docstring.

    ``assign_to`` attaches every end-entity certificate to that subscriber;
    ``create_missing`` creates a subscriber for an unmatched end-entity certificate whose
    O/OU name a registered unit (organisation if CN equals that unit's name, else person).
    """
    result = ImportResult()
    if not certs:
        return result
    directory = _Directory.load(session)
    fields = [(read_fields(sc.certificate.dump()), sc.source) for sc in certs]
    fps = list({f.fingerprint for f, _ in fields})
    existing = _known_fingerprints(session, fps)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    pending: list[tuple[CertFields, str, Subscriber | None, str | None, Msg | None]] = []
    now = datetime.now(UTC)
    for f, source in fields:
        if f.fingerprint in existing or f.fingerprint in seen:
            result.items.append(ImportedCert(f.fingerprint, f.subject_cn, source, "duplicate", f.is_ca))
            continue
        seen.add(f.fingerprint)
        subscriber: Subscriber | None = None
        matched_by: str | None = None
        note: Msg | None = None
        if not f.is_ca:
            if assign_to is not None:
                subscriber, matched_by = assign_to, "assigned"
            else:
                subscriber, matched_by, note = directory.match(f)
                if subscriber is None and create_missing and note is None:
                    subscriber = _create_subscriber(session, directory, f)
                    matched_by = "created" if subscriber is not None else None
        rows.append(_row(f, source, subscriber, token_serial, now))
        pending.append((f, source, subscriber, matched_by, note))
    for i in range(0, len(rows), 2000):
        session.execute(insert(table_of(Certificate)), rows[i : i + 2000])
    touched = {sub.id for _, _, sub, _, _ in pending if sub is not None}
    links = _link_renewals(session, touched, {f.fingerprint for f, *_ in pending})
    for f, source, sub, matched_by, note in pending:
        result.items.append(
            ImportedCert(
                f.fingerprint,
                f.subject_cn,
                source,
                "added",
                f.is_ca,
                sub.id if sub is not None else None,
                sub.full_name if sub is not None else None,
                matched_by,
                links.get(f.fingerprint),
                note,
            )
        )
    return result


def _create_subscriber(session: Session, directory: _Directory, f: CertFields) -> Subscriber | None:
    unit = directory.unit_for(f)
    if unit is None or not f.subject_cn:
        return None
    if f.subject_uid and f.subject_uid in directory.by_uid:
        return None
    kind = _subscriber_kind(f, unit)
    if kind is None:  # neither a body's nor a person's name: the operator decides
        return None
    sub = Subscriber(
        kind=kind,
        full_name=f.subject_cn,
        title=f.subject_title,
        unit_id=unit.id,
        uid=f.subject_uid,
        active=True,
    )
    session.add(sub)
    session.flush()
    if sub.uid:
        directory.by_uid[sub.uid] = sub
    directory.by_name.setdefault(normalise_name(sub.full_name), []).append(sub)
    return sub


def _subscriber_kind(f: CertFields, unit: Unit) -> str | None:
    """Person or organisation, read from the subject as vbsign's policy classifier reads it
    (real agency certificates name the unit, ``CN=CỤC THUẾ`` under ``O=BỘ TÀI CHÍNH``)."""

    cn = f.subject_cn or ""
    uid = (f.subject_uid or "").upper()
    if normalise_name(cn) == normalise_name(unit.name) or names_a_body(cn) or uid.startswith(ORGANISATION_UID_PREFIXES):
        return "organisation"
    if is_personal_name(cn) or uid.startswith(PERSON_UID_PREFIXES):
        return "person"
    return None
