"""Real government certificates and CRLs that newer cryptography releases refuse.

cryptography 51 refuses the empty ``issuerAltName`` (``SEQUENCE {}``) that the legacy Ban Cơ
yếu CA certificates carry, and it parses extensions lazily, so the refusal surfaces wherever
an extension is read. vbsign must read such certificates (and CRLs with such extensions)
whatever the installed cryptography does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from vbsign import testpki
from vbsign._core.x509 import read_certificates
from vbsign.pki import revinfo
from vbsign.registry.certinfo import read_fields

#: legacy government CA certificates with an empty issuerAltName extension
LEGACY = ("BCA_BIN.cer", "BNG_BIN.cer", "BTC_BIN.cer", "CP_BIN.cer", "DCS_BIN.cer")


def _legacy(corpus: Path, name: str) -> x509.Certificate:
    (cert,) = read_certificates((corpus / "vn-ca-certs" / "tttk6102tt-vgca" / name).read_bytes())
    return cert


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_ca_certificate_is_read(corpus: Path, name: str) -> None:
    cert = _legacy(corpus, name)
    ians = [e for e in cert["tbs_certificate"]["extensions"] if e["extn_id"].native == "issuer_alt_name"]
    assert ians and ians[0]["extn_value"].contents == b"\x30\x00"  # the encoding in question
    fields = read_fields(cert)
    assert fields.is_ca and not fields.self_signed
    assert "Ban C" in (fields.subject_o or "")
    assert read_fields(cert.dump()) == fields


def _signed_crl(pki: testpki.TestPKI, tbs: asn1_crl.TbsCertList) -> asn1_crl.CertificateList:
    key = serialization.load_der_private_key(pki.private_key("gov-ca").dump(), password=None)
    sig = key.sign(tbs.dump(force=True), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return asn1_crl.CertificateList(
        {"tbs_cert_list": tbs, "signature_algorithm": {"algorithm": "sha256_rsa"}, "signature": sig}
    )


def _crl_with_empty_general_names(pki: testpki.TestPKI, serial: int) -> asn1_crl.CertificateList:
    """A gov-ca CRL listing ``serial`` whose extensions carry empty GeneralNames."""
    when = datetime(2026, 6, 1, tzinfo=UTC)
    entry: dict[str, Any] = {
        "user_certificate": serial,
        "revocation_date": x509.Time(name="utc_time", value=when),
        "crl_entry_extensions": [
            {"extn_id": "crl_reason", "critical": False, "extn_value": "key_compromise"},
            {"extn_id": "certificate_issuer", "critical": False, "extn_value": x509.GeneralNames([])},
        ],
    }
    tbs = asn1_crl.TbsCertList(
        {
            "version": "v2",
            "signature": {"algorithm": "sha256_rsa"},
            "issuer": pki.cert("gov-ca").subject,
            "this_update": x509.Time(name="utc_time", value=datetime(2026, 7, 1, tzinfo=UTC)),
            "next_update": x509.Time(name="utc_time", value=datetime(2026, 7, 8, tzinfo=UTC)),
            "revoked_certificates": [entry],
            "crl_extensions": [
                {"extn_id": "crl_number", "critical": False, "extn_value": 7},
                {"extn_id": "issuer_alt_name", "critical": False, "extn_value": x509.GeneralNames([])},
            ],
        }
    )
    return _signed_crl(pki, tbs)


def test_crl_with_legacy_extensions_still_reports_revocation(pki: testpki.TestPKI) -> None:
    revoked = pki.cert("revoked")
    crl = _crl_with_empty_general_names(pki, revoked.serial_number)
    assert revinfo.crl_entry(crl, revoked.serial_number) == (datetime(2026, 6, 1, tzinfo=UTC), "key_compromise")
    assert revinfo.crl_entry(crl, revoked.serial_number + 1) is None
    status = revinfo.revocation_status(revoked, [], [crl], issuers=[pki.cert("gov-ca")])
    assert status[:3] == ("revoked", datetime(2026, 6, 1, tzinfo=UTC), "key_compromise")
    good = revinfo.revocation_status(pki.cert("person"), [], [crl], issuers=[pki.cert("gov-ca")])
    assert good[0] == "good"


def test_crl_entry_that_cryptography_refuses_is_read(pki: testpki.TestPKI) -> None:
    # a CRL entry with its reason code twice: cryptography refuses the entry's extensions
    revoked = pki.cert("revoked")
    tbs = _crl_with_empty_general_names(pki, revoked.serial_number)["tbs_cert_list"].copy()
    exts = tbs["revoked_certificates"][0]["crl_entry_extensions"]
    tbs["revoked_certificates"][0]["crl_entry_extensions"] = asn1_crl.CRLEntryExtensions([exts[0], exts[0]])
    crl = _signed_crl(pki, tbs)
    assert revinfo.crl_entry(crl, revoked.serial_number) == (datetime(2026, 6, 1, tzinfo=UTC), "key_compromise")
    status = revinfo.revocation_status(revoked, [], [crl], issuers=[pki.cert("gov-ca")])
    assert status[0] == "revoked"


def test_both_crl_readers_agree_on_an_ordinary_crl(pki: testpki.TestPKI) -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    crl = pki.arch.service_registry.get_crl(
        next(i.label for i in pki.arch.service_registry.list_crl_repos() if str(i.label) == "gov-ca"), at
    )
    for label in ("revoked", "person"):
        serial = pki.cert(label).serial_number
        assert revinfo.crl_entry(crl, serial) == revinfo._crl_entry_asn1(crl, serial)
    assert revinfo.crl_entry(crl, pki.cert("revoked").serial_number) is not None
