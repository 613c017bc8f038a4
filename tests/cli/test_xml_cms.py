"""The command line for XML and any-file signatures, over real HTTP services on loopback."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign.cli.main import main
from vbsign.formats.dispatch import default_output, detect_format

QD = '<?xml version="1.0" encoding="UTF-8"?><QuyetDinh><So>12/QĐ-BKHCN</So></QuyetDinh>'.encode()
DOCX = b"PK\x03\x04" + "Báo cáo".encode() * 100


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_format_detection_and_default_names(sample_pdf: bytes) -> None:
    assert detect_format(sample_pdf) == "pdf"
    assert detect_format(b"\xef\xbb\xbf<?xml version='1.0'?><a/>") == "xml"
    assert detect_format(b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><edXML:edXMLEnvelope/></edXML>") == "edxml"
    assert detect_format(DOCX) == "cades"
    assert detect_format(sample_pdf, "cades") == "cades"
    assert default_output("report.docx", "cades") == Path("report.docx.p7s")
    assert default_output("report.docx", "cades", packaging="enveloping") == Path("report.docx.p7m")
    assert default_output("qd.xml", "xml") == Path("qd.signed.xml")


@pytest.mark.integration
def test_sign_and_verify_any_file_and_xml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          served_pki: Any) -> None:
    pki, port = served_pki.pki, served_pki.port  # served over HTTP on a free port
    if not pki.cert("person").not_valid_before <= datetime.now(timezone.utc) <= pki.cert("person").not_valid_after:
        pytest.skip("test certificates are not valid at the wall-clock time")  # pragma: no cover
    from vbsign.testpki.export import write_pki

    write_pki(tmp_path / "pki", port=port, passphrase="vbsign-test")
    monkeypatch.setenv("P12_PASS", "vbsign-test")
    roots = str(tmp_path / "pki" / "roots.pem")
    docx = tmp_path / "bao-cao.docx"
    docx.write_bytes(DOCX)
    qd = tmp_path / "qd.xml"
    qd.write_bytes(QD)
    common = ["--key", str(tmp_path / "pki" / "person.p12"), "--passphrase-env", "P12_PASS", "--trust", roots,
              "--tsa", pki.tsa_url, "--timeout", "5"]
    code, out, err = run(["--lang", "en", "sign", str(docx), *common], capsys)
    assert code == 0, out + err
    assert "bao-cao.docx.p7s (CAdES B-LT)" in out
    code, out, err = run(["--lang", "vi", "sign", str(qd), *common, "--level", "b-t", "--claimed-role", "Thứ trưởng"], capsys)
    assert code == 0 and "qd.signed.xml (XAdES B-T)" in out, out + err
    code, out, err = run(["sign", str(docx), *common, "--packaging", "enveloping", "--level", "b-b", "-o", str(tmp_path / "x.p7m")], capsys)
    assert code == 0, out + err
    # the content next to the .p7s is found by default; --content overrides
    code, out, err = run(["--lang", "en", "verify", str(tmp_path / "bao-cao.docx.p7s"), "--trust", roots, "--offline"], capsys)
    assert code == 0 and "CAdES B-LT" in out, out + err
    code, out, err = run(["verify", "--json", str(tmp_path / "qd.signed.xml"), str(tmp_path / "x.p7m"), "--trust", roots], capsys)
    assert code == 0, out + err
    reports = json.loads(out)
    assert [r["document"]["format"] for r in reports] == ["xml", "cms"]
    other = tmp_path / "other.docx"
    other.write_bytes(DOCX + b"!")
    code, out, err = run(["--lang", "en", "verify", str(tmp_path / "bao-cao.docx.p7s"), "--content", str(other), "--trust", roots, "--offline"], capsys)
    assert code == 1 and "HASH_FAILURE" in out
    code, out, err = run(["sign", str(qd), "--key", str(tmp_path / "pki" / "person.p12"), "--passphrase-env", "P12_PASS",
                          "--trust", roots, "--role", "person"], capsys)
    assert code == 3 and "PDF" in err


def test_verify_refuses_xxe_with_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "evil.xml"
    evil.write_bytes(b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    code, out, err = run(["--lang", "en", "verify", str(evil), "--trust", str(tmp_path)], capsys)
    assert code == 3 and "DOCTYPE" in (out + err)


def test_sign_help_lists_the_new_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["sign", "--help"], capsys)
    assert code == 0
    for opt in ("--format", "--packaging", "--claimed-role"):
        assert opt in out
    code, out, _ = run(["verify", "--help"], capsys)
    assert "--content" in out


