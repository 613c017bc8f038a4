"""Evidence bundles: plain files a host stores next to a document, and deletes with it.

The bundle itself (a value: a manifest and files) lives here in the model; what the host
bridge collects into it while verifying is :mod:`vbsign.host.evidence`.

Layout of a bundle directory (all names fixed, every file listed with its SHA-256 in
``manifest.json``)::

    manifest.json                 what, when, decision + reasons (vi/en), file hashes
    report.json                   the verification report of the document (vbsign JSON)
    validation.json               the policy engine's compliance result (when evaluated)
    attachments/<n>.report.json   reports of signed attachments (send)
    revocation/ocsp-NN.der        OCSP responses used (embedded in the document or fetched)
    revocation/crl-NN.der         CRLs used (same)
    certificates/cert-NN.der      the signers' certificates and chains found in the document
    cps/NN-<name>                 copies of the CAs' certification practice statements, when
                                  the host configured them (``cps_documents``)
    receipt-timestamp.tst         receive only: RFC 3161 TimeStampToken (DER CMS ContentInfo)
                                  over the SHA-256 of the received file, exactly as received

The receipt timestamp is *detached*: the received file is kept byte for byte as it
arrived (its hash is in the manifest and in the token), which is what Circular 41/2017
Art. 9 cl. 1 b asks to keep ("a valid timestamp at the time of receipt"). It can be
re-checked at any time with :meth:`EvidenceBundle.check`.

Per Circular 41/2017 Art. 10 the accompanying information is destroyed together with
the document, by software, without affecting other documents: one bundle directory per
document, no shared files, and :func:`delete_evidence` removes exactly the files its
manifest lists.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from asn1crypto import cms, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp

import vbsign._core.files as _io
from vbsign._core.bounds import CPS_DOCUMENT, MANIFEST_FILE, loads_json, read_bounded
from vbsign._core.errors import InputError, VerificationError
from vbsign._core.i18n import Msg
from vbsign._version import __version__
from vbsign.model.report import Finding, Report

EVIDENCE_SCHEMA = "https://vbsign.vn/schemas/evidence/v1"
MANIFEST = "manifest.json"
RECEIPT_FILE = "receipt-timestamp.tst"

BundleKind = Literal["send", "receive"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iso_time(dt: datetime) -> str:
    """UTC ISO 8601 with a ``Z`` (as in reports)."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ---- certificates and revocation data a document carries ---------------------------------------------------------------


@dataclass
class ValidationMaterial:
    """Certificates and revocation data (DER objects), deduplicated."""

    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    certificates: list[x509.Certificate] = field(default_factory=list)

    def add(
        self,
        ocsps: Iterable[Any] = (),
        crls: Iterable[Any] = (),
        certificates: Iterable[Any] = (),
    ) -> None:
        for target, items in ((self.ocsps, ocsps), (self.crls, crls), (self.certificates, certificates)):
            seen = {o.dump() for o in target}
            for item in items:
                der = item.dump()
                if der not in seen:
                    seen.add(der)
                    target.append(item)

    def merge(self, other: ValidationMaterial) -> None:
        self.add(other.ocsps, other.crls, other.certificates)


# ---- receipt timestamp -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptInfo:
    """What a receipt timestamp token says."""

    time: datetime
    hash_algorithm: str
    imprint: str
    tsa: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"file": RECEIPT_FILE, "time": iso_time(self.time), "hash_algorithm": self.hash_algorithm,
                "imprint": self.imprint, "tsa": self.tsa}


def receipt_info(token: bytes) -> ReceiptInfo:
    """Parse an RFC 3161 TimeStampToken (DER ContentInfo)."""
    try:
        ci = cms.ContentInfo.load(token)
        sd = ci["content"]
        tst_info = sd["encap_content_info"]["content"].parsed
        imprint = tst_info["message_imprint"]
        tsa = None
        for cert in sd["certificates"] or []:
            if cert.name == "certificate":
                c = cert.chosen
                if c.extended_key_usage_value and "time_stamping" in c.extended_key_usage_value.native:
                    tsa = c.subject.human_friendly
        return ReceiptInfo(
            time=tst_info["gen_time"].native,
            hash_algorithm=imprint["hash_algorithm"]["algorithm"].native,
            imprint=imprint["hashed_message"].native.hex(),
            tsa=tsa,
        )
    except Exception as e:
        raise VerificationError(
            Msg(
                "Dấu thời gian tiếp nhận không đọc được: {e}",
                "The receipt timestamp cannot be read: {e}",
            ).format(e=str(e) or type(e).__name__)
        ) from e


# ---- the bundle ----------------------------------------------------------------------------------


@dataclass
class EvidenceBundle:
    """The files to keep with one document (in memory until :meth:`write`)."""

    manifest: dict[str, Any]
    #: relative path -> content (``manifest.json`` excluded)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def document_sha256(self) -> str:
        return str(self.manifest["document"]["sha256"])

    @property
    def receipt(self) -> ReceiptInfo | None:
        token = self.files.get(RECEIPT_FILE)
        return receipt_info(token) if token is not None else None

    def report(self) -> Report | None:
        data = self.files.get("report.json")
        return Report.from_dict(json.loads(data)) if data is not None else None

    def revocation_files(self) -> dict[str, bytes]:
        return {k: v for k, v in self.files.items() if k.startswith("revocation/")}

    def manifest_bytes(self) -> bytes:
        return json.dumps(self.manifest, ensure_ascii=False, indent=2).encode("utf-8")

    # ---- files ----------------------------------------------------------------------------
    def write(self, directory: str | os.PathLike[str]) -> Path:
        """Write the bundle to a new directory, atomically (all files or none).

        The directory must not exist yet: evidence is never overwritten (its parents are
        created). Files are written to a temporary sibling directory which is then renamed
        into place.
        """
        target = Path(os.fspath(directory))
        if target.exists():
            raise InputError(
                Msg(
                    "Thư mục chứng cứ đã tồn tại (không ghi đè chứng cứ): {d}",
                    "The evidence directory already exists (evidence is never overwritten): {d}",
                ).format(d=target)
            )
        parent = target.parent
        _io.make_private_dirs(parent)
        # evidence names people and documents: files 0600, directories 0700, whatever the umask
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.vbsign-", dir=parent))
        try:
            for rel, content in {**self.files, MANIFEST: self.manifest_bytes()}.items():
                path = tmp / rel
                _io.make_private_dirs(path.parent)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _io.PRIVATE_FILE_MODE)
                with os.fdopen(fd, "wb") as fh:
                    os.fchmod(fd, _io.PRIVATE_FILE_MODE)
                    fh.write(content)
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp, _io.PRIVATE_DIR_MODE)
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> EvidenceBundle:
        """Read a bundle written by :meth:`write`; refuse it if a listed file is missing or altered."""
        d = Path(os.fspath(directory))
        if not (d / MANIFEST).is_file():
            raise InputError(
                Msg("Không có {m} trong {d}: không phải gói chứng cứ của vbsign.",
                    "No {m} in {d}: not a vbsign evidence bundle.").format(m=MANIFEST, d=d)
            )
        raw = read_bounded(d / MANIFEST, MANIFEST_FILE)
        manifest = loads_json(raw, str(d / MANIFEST), MANIFEST_FILE)
        if not isinstance(manifest, dict):
            raise InputError(Msg("Tệp {m} hỏng.", "Damaged {m}.").format(m=MANIFEST))
        if manifest.get("schema") != EVIDENCE_SCHEMA:
            raise InputError(
                Msg("Phiên bản gói chứng cứ không được hỗ trợ: {s}", "Unsupported evidence bundle schema: {s}").format(
                    s=manifest.get("schema")
                )
            )
        files: dict[str, bytes] = {}
        for rel, meta in manifest.get("files", {}).items():
            path = _inside(d, rel)
            try:
                content = path.read_bytes()
            except FileNotFoundError:
                raise VerificationError(
                    Msg("Gói chứng cứ thiếu tệp {f}.", "The evidence bundle lacks the file {f}.").format(f=rel),
                    details={"file": rel},
                ) from None
            if _sha256(content) != meta.get("sha256"):
                raise VerificationError(
                    Msg("Tệp {f} trong gói chứng cứ đã bị thay đổi.", "File {f} of the evidence bundle was altered.").format(
                        f=rel
                    ),
                    details={"file": rel},
                )
            files[rel] = content
        return cls(manifest, files)

    def check(self, document: bytes) -> list[Msg]:
        """Problems (empty if none): does ``document`` match, does the receipt token cover it?"""
        problems: list[Msg] = []
        if _sha256(document) != self.document_sha256:
            problems.append(
                Msg(
                    "Tệp văn bản không khớp với gói chứng cứ (giá trị băm khác).",
                    "The document does not match the evidence bundle (different hash).",
                )
            )
        receipt = self.receipt
        if receipt is not None:
            algo = receipt.hash_algorithm
            try:
                digest = hashlib.new(algo, document).hexdigest()
            except ValueError:
                digest = ""
            if digest != receipt.imprint:
                problems.append(
                    Msg(
                        "Dấu thời gian tiếp nhận không ứng với tệp văn bản này.",
                        "The receipt timestamp does not cover this document.",
                    )
                )
        return problems


def _inside(directory: Path, rel: str) -> Path:
    """``directory / rel``, refusing paths that escape the bundle (hostile manifests)."""
    path = (directory / rel).resolve()
    if directory.resolve() not in path.parents:
        raise InputError(
            Msg("Đường dẫn không hợp lệ trong gói chứng cứ: {f}", "Invalid path in the evidence bundle: {f}").format(f=rel)
        )
    return path


def delete_evidence(directory: str | os.PathLike[str]) -> None:
    """Delete a bundle: the files its manifest lists, the manifest, then the empty folders.

    Refuses a directory without a vbsign manifest, and never touches files the manifest
    does not list (so deleting one document's evidence cannot affect another's).
    """
    d = Path(os.fspath(directory))
    if not d.exists():
        return
    manifest_path = d / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            Msg(
                "{d} không phải gói chứng cứ của vbsign; không xóa.",
                "{d} is not a vbsign evidence bundle; nothing deleted.",
            ).format(d=d)
        ) from None
    if manifest.get("schema") != EVIDENCE_SCHEMA:
        raise InputError(
            Msg("{d} không phải gói chứng cứ của vbsign; không xóa.", "{d} is not a vbsign evidence bundle; nothing deleted.").format(d=d)
        )
    for rel in manifest.get("files", {}):
        path = _inside(d, rel)
        path.unlink(missing_ok=True)
    manifest_path.unlink()
    for sub in sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            sub.rmdir()
    with contextlib.suppress(OSError):  # the host put other files there: not ours to delete
        d.rmdir()


class EvidenceBuilder:
    """Collects the files of a bundle, then freezes them with a manifest."""

    def __init__(self, kind: BundleKind, document: bytes, document_name: str) -> None:
        self.kind = kind
        self.document_sha256 = _sha256(document)
        self.document: dict[str, Any] = {"name": document_name, "sha256": self.document_sha256, "size": len(document)}
        self.files: dict[str, bytes] = {}
        self.material = ValidationMaterial()
        self.receipt: ReceiptInfo | None = None
        self.extra: dict[str, Any] = {}

    def add_file(self, rel: str, content: bytes) -> None:
        self.files[rel] = content

    def add_json(self, rel: str, data: Any) -> None:
        self.files[rel] = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

    def add_report(self, rel: str, report: Report) -> None:
        self.files[rel] = report.to_json().encode("utf-8")

    def add_cps_copies(self, report: Report | None, documents: Mapping[str, Any]) -> tuple[str, ...]:
        """Store the configured CPS copies the report's signers refer to; return their URLs."""
        wanted: list[str] = []
        for sig in report.signatures if report else []:
            for url in sig.signer.cps_urls if sig.signer else []:
                if url in documents and url not in wanted:
                    wanted.append(url)
        stored: dict[str, str] = dict(self.extra.get("cps", {}))
        for url in wanted:
            if url in stored:
                continue
            data, _ = _io.read_input(documents[url], max_bytes=CPS_DOCUMENT.max_bytes)
            base = url.rstrip("/").rsplit("/", 1)[-1] or "cps"
            rel = f"cps/{len(stored) + 1:02d}-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in base)
            self.files[rel] = data
            stored[url] = rel
        if stored:
            self.extra["cps"] = stored
        return tuple(stored)

    def add_receipt(self, token: bytes) -> ReceiptInfo:
        self.receipt = receipt_info(token)
        self.files[RECEIPT_FILE] = token
        return self.receipt

    def build(
        self,
        decision: str,
        reasons: Iterable[Finding],
        *,
        created_at: datetime,
        metadata: Mapping[str, str] | None = None,
    ) -> EvidenceBundle:
        files = dict(self.files)
        for i, o in enumerate(self.material.ocsps, start=1):
            files[f"revocation/ocsp-{i:02d}.der"] = o.dump()
        for i, c in enumerate(self.material.crls, start=1):
            files[f"revocation/crl-{i:02d}.der"] = c.dump()
        for i, cert in enumerate(self.material.certificates, start=1):
            files[f"certificates/cert-{i:02d}.der"] = cert.dump()
        manifest: dict[str, Any] = {
            "schema": EVIDENCE_SCHEMA,
            "kind": self.kind,
            "created_at": iso_time(created_at),
            "vbsign_version": __version__,
            "document": self.document,
            "decision": decision,
            "reasons": [dataclasses.asdict(r) | {"severity": r.severity.value} for r in reasons],
            "receipt_timestamp": self.receipt.to_dict() if self.receipt else None,
            "metadata": dict(metadata or {}),
            **self.extra,
            "files": {rel: {"sha256": _sha256(c), "size": len(c)} for rel, c in sorted(files.items())},
        }
        return EvidenceBundle(json.loads(json.dumps(manifest, default=str)), files)
