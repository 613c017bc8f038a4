"""The test PKI: shape of the certificates, `testpki init`, and the HTTP services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_government_and_public_branches(pki):
    root, ca = pki.cert("gov-root"), pki.cert("gov-ca")
    assert root.subject.native["common_name"] == "RootCA chuyên dùng Chính phủ G2 (TEST)"
    assert ca.subject.native["common_name"] == "CA phục vụ các cơ quan Nhà nước G2 (TEST)"
    assert ca.issuer == root.subject
    person = pki.cert("person").subject.native
    assert person["common_name"] == "Nguyễn Văn A" and "title" not in person
    agency = pki.cert("agency").subject.native
    assert agency["common_name"] == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA" != agency["organization_name"]
    assert pki.cert("pub-root").subject.native["common_name"] == "Vietnam National Root CA (TEST)"
    assert pki.cert("subscriber").subject.native["user_id"].startswith("CCCD:")
    assert pki.cert("sha1").hash_algo == "sha1"
    assert pki.cert("rsa1024").public_key.bit_size == 1024
    assert pki.cert("gov-tsa").extended_key_usage_value.native == ["time_stamping"]
    # URLs carry a host name, never a literal IP (aiohttp bypasses custom resolvers for IPs)
    assert pki.cert("person").ocsp_urls == ["http://localhost:8750/vn/ocsp/gov-ca"]


def _load(path):
    from asn1crypto import pem, x509

    data = path.read_bytes()
    return x509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)


def _shape(name):
    """(attribute, string type) of each RDN, in order."""
    return [(atv["type"].native, atv["value"].name) for rdn in name.chosen for atv in rdn]


def _extensions(cert):
    return {e["extn_id"].native: e["critical"].native for e in cert["tbs_certificate"]["extensions"]}


@pytest.mark.parametrize("label", ["agency", "agency-b", "agency-unit", "person", "person-b"])
def test_government_subscribers_are_shaped_like_the_real_g2_agency_certificate(pki, corpus, label):
    """Attributes, order, string types, policy + CPS, key usage, EKU, extensions: as on the
    real VGCA G2 agency certificate (legal-rules.md §6.1, ../shared/corpus/vn-ee-certs/)."""
    real = _load(corpus / "vn-ee-certs" / "cuc-thue-bo-tai-chinh-g2.cer")
    ours = pki.cert(label)
    shape, real_shape = _shape(ours.subject), _shape(real.subject)
    # C, L, O, (OU…), CN — C as PrintableString, the rest UTF8String; no title, no UID
    assert shape[0] == real_shape[0] == ("country_name", "printable_string")
    assert shape[-1] == real_shape[-1] == ("common_name", "utf8_string")
    core = [a for a in shape if a[0] != "organizational_unit_name"]
    assert core == real_shape
    assert all(t == "utf8_string" for a, t in shape[1:])
    assert ours.issuer == pki.cert("gov-ca").subject and _shape(ours.issuer) == _shape(real.issuer)
    # same certificate policy and CPS, same key usage and extended key usage, same criticality
    assert ours.certificate_policies_value.native == real.certificate_policies_value.native
    assert ours.key_usage_value.native == real.key_usage_value.native
    assert ours.extended_key_usage_value.native == real.extended_key_usage_value.native
    assert _extensions(ours).items() >= {k: v for k, v in _extensions(real).items() if k != "subject_alt_name"}.items()
    assert ours.basic_constraints_value.native == real.basic_constraints_value.native == {"ca": False, "path_len_constraint": None}
    methods = sorted(d["access_method"] for d in ours.authority_information_access_value.native)
    assert methods == sorted(d["access_method"] for d in real.authority_information_access_value.native)
    if label.startswith("agency"):
        assert ours.subject_alt_name_value.native[0].endswith(".test")  # the agency's e-mail, like the real one
        assert _extensions(ours) == _extensions(real)
    if label == "agency-unit":  # two OUs between O and CN, like "CHI CỤC THUẾ … OU=… OU=…"
        assert [a for a, _ in shape] == [
            "country_name", "locality_name", "organization_name", "organizational_unit_name",
            "organizational_unit_name", "common_name",
        ]
        assert ours.public_key.bit_size == real.public_key.bit_size == 3072


def test_government_cas_are_shaped_like_the_real_g2_cas(pki, corpus):
    folder = corpus / "vn-ca-certs" / "nguyentvtk-eSign.Files" / "vgca"
    for label, real_name in (("gov-root", "rootcag2.crt"), ("gov-ca", "cpcag2.crt")):
        real, ours = _load(folder / real_name), pki.cert(label)
        assert _shape(ours.subject) == _shape(real.subject)
        assert ours.key_usage_value.native == real.key_usage_value.native == {"key_cert_sign", "crl_sign"}
        assert ours.basic_constraints_value.native == real.basic_constraints_value.native
    real_ca, ca = _load(folder / "cpcag2.crt"), pki.cert("gov-ca")
    assert ca.certificate_policies_value.native == real_ca.certificate_policies_value.native
    assert {d["access_method"] for d in ca.authority_information_access_value.native} == {"ca_issuers"}
    assert ca.crl_distribution_points and real_ca.crl_distribution_points


def test_ocsp_validity_is_deliberate(pki, t0):
    resp = pki.ocsp_response("person", t0)
    single = resp.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert (single["next_update"].native - single["this_update"].native).total_seconds() == 4 * 3600
    assert pki.ocsp_response("revoked", t0).basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"].name == "revoked"


def test_init_writes_the_documented_files(tmp_path, pki):
    from vbsign.backends.software import load_pkcs12
    from vbsign.testpki.export import write_pki

    files = {p.name for p in write_pki(tmp_path, port=9123, passphrase="bí mật")}
    assert {"roots.pem", "chain.pem", "person.p12", "agency.p12", "README.txt", "testpki.json"} <= files
    readme = (tmp_path / "README.txt").read_text("utf-8")
    assert "http://localhost:9123/vn/tsa/tsa" in readme and "bí mật" in readme
    for name in files:
        assert name in readme
    key = load_pkcs12(tmp_path / "agency.p12", "bí mật")
    assert key.certificate.subject.native["common_name"] == pki.cert("agency").subject.native["common_name"]
    assert key.certificate.ocsp_urls == ["http://localhost:9123/vn/ocsp/gov-ca"]
    assert [c.subject.native["common_name"] for c in key.chain][0].startswith("CA phục vụ")


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.mark.integration
def test_http_services_sign_and_verify_online(sample_pdf, tmp_path):
    """Real HTTP on loopback: TSA, OCSP and CRL over the network, B-LT signing and online checks."""
    from vbsign import api
    from vbsign.model.report import Indication
    from vbsign.pki.validation import Services
    from vbsign.testpki.server import ServerThread

    server = ServerThread.on_free_port()  # the port stays bound from the start: no race
    pki = server.pki
    (tmp_path / "p.p12").write_bytes(pki.pkcs12("person", "x"))
    with server:
        services = Services(online=True, timeout=5)
        res = api.sign(sample_pdf, key=tmp_path / "p.p12", passphrase="x", trust=pki.roots, tsa=pki.tsa_url,
                       level="B-LT", services=services)
        report = api.verify(res.data, trust=pki.roots, services=services)
        assert report.indication is Indication.TOTAL_PASSED, report.to_json()
        bb = api.sign(sample_pdf, key=tmp_path / "p.p12", passphrase="x", trust=pki.roots, level="B-B",
                      services=services).data
        online = api.verify(bb, trust=pki.roots, services=Services(online=True, timeout=5))
        assert online.indication is Indication.TOTAL_PASSED
        assert online.signatures[0].revocation.source == "online"
    # server gone: the B-B document can no longer be checked → indeterminate, quickly
    t = time.monotonic()
    gone = api.verify(bb, trust=pki.roots, services=Services(online=True, timeout=2))
    assert gone.indication is Indication.INDETERMINATE
    assert time.monotonic() - t < 15


@pytest.mark.slow
@pytest.mark.integration
def test_cli_serve_stops_cleanly_on_sigterm(tmp_path):
    import json

    d = tmp_path / "pki"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # --port 0: a free port is chosen and written into the certificates and testpki.json
    subprocess.run([sys.executable, "-m", "vbsign.cli.main", "testpki", "init", str(d), "--port", "0"],
                   check=True, env=env, capture_output=True)
    port = json.loads((d / "testpki.json").read_text("utf-8"))["port"]
    assert port != 0 and f"localhost:{port}/" in (d / "README.txt").read_text("utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "vbsign.cli.main", "testpki", "serve", str(d)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        _wait_port(port)
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/vn/crls/gov-ca/latest.crl", timeout=5) as r:
            assert r.status == 200 and len(r.read()) > 100
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()
    assert "stopped" in out.decode()


def test_serve_refuses_a_non_pki_directory(tmp_path):
    from vbsign._core.errors import InputError
    from vbsign.testpki.server import serve_directory

    with pytest.raises(InputError):
        serve_directory(Path(tmp_path))


def test_init_port_0_picks_a_free_port_and_writes_it_everywhere(tmp_path, capsys):
    """Issue 14 item 8: tests (and two developers on one machine) never share a fixed port."""
    import json

    from vbsign import testpki
    from vbsign.cli.main import main

    try:
        code = main(["--lang", "en", "testpki", "init", str(tmp_path / "a"), "--port", "0"])
    except SystemExit as e:
        code = e.code
    assert code in (0, None), capsys.readouterr().err
    port = json.loads((tmp_path / "a" / "testpki.json").read_text("utf-8"))["port"]
    assert isinstance(port, int) and port not in (0, testpki.DEFAULT_PORT)
    assert f"(port {port})" in capsys.readouterr().out
    assert f"http://localhost:{port}/vn/tsa" in (tmp_path / "a" / "README.txt").read_text("utf-8")
    from vbsign.backends.software import load_pkcs12

    key = load_pkcs12(tmp_path / "a" / "person.p12", testpki.DEFAULT_PASSPHRASE)
    assert key.certificate.ocsp_urls == [f"http://localhost:{port}/vn/ocsp/gov-ca"]
    # running init again with --port 0 keeps the PKI that is there
    main(["testpki", "init", str(tmp_path / "a"), "--port", "0"])
    assert json.loads((tmp_path / "a" / "testpki.json").read_text("utf-8"))["port"] == port
