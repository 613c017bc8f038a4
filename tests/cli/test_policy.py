"""``vbsign validate``, ``vbsign policy``, ``vbsign trust``: exit codes, outputs, languages."""

from __future__ import annotations

import contextvars
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vbsign.cli.main import main

T0_ISO = "2026-12-01T03:00:00+00:00"


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Run the CLI in-process, in a copied context (its --lang must not leak into other tests)."""
    ctx = contextvars.copy_context()
    code: int = 0
    try:
        ctx.run(main, list(argv))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 3)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(docs, tmp_path: Path, pki_dir: Path) -> dict[str, Path]:
    good = tmp_path / "van-ban-di.pdf"
    good.write_bytes(docs.person_agency)
    bb = tmp_path / "khong-dau-thoi-gian.pdf"
    bb.write_bytes(docs.sign("agency", docs.person_bb, "B-B").data)
    pol = tmp_path / "test.toml"
    pol.write_text(docs.policy_text("tt41"), "utf-8")
    return {"good": good, "bb": bb, "policy": pol, "roots": pki_dir / "roots.pem"}


def validate(capsys, files, *names: str, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    args = [str(files[n]) if n in files else n for n in names]
    return run(
        capsys, "validate", *args, "--policy", str(files["policy"]), "--trust", str(files["roots"]),
        "--offline", "--now", T0_ISO, *extra,
    )  # fmt: skip


def test_validate_exit_codes_and_text(capsys, files):
    code, out, _ = validate(capsys, files, "good")
    assert code == 0, out
    assert "Kết luận theo chính sách: ĐẠT" in out and "Nguyễn Văn A" in out
    code, out, _ = validate(capsys, files, "bb")
    assert code == 1 and "KHÔNG ĐẠT" in out and "[TT41-01] [S1]" in out
    code, out, _ = run(capsys, "--lang", "en", "validate", str(files["bb"]), "--policy", str(files["policy"]),
                       "--trust", str(files["roots"]), "--offline", "--now", T0_ISO)  # fmt: skip
    assert code == 1 and "NOT COMPLIANT" in out and "[TT41-01]" in out
    code, _, err = validate(capsys, files, "good", "missing.pdf")
    assert code == 3 and "missing.pdf" in err


def test_validate_json(capsys, files):
    code, out, _ = validate(capsys, files, "good", "bb", extra=("--json",))
    data = json.loads(out)
    assert code == 1
    assert [d["status"] for d in data] == ["compliant", "non-compliant"]
    assert data[1]["verification"]["document"]["name"] == "khong-dau-thoi-gian.pdf"


def test_validate_junit(capsys, files, tmp_path):
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    code, _, _ = validate(capsys, files, "good", "bb", "nope.pdf", extra=("--junit", str(junit)))
    assert code == 1
    root = ET.parse(junit).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 3
    good, bb, nope = suites
    assert good.get("failures") == "0" and good.get("errors") == "0"
    failed = [c.get("name") for c in bb.iter("testcase") if c.find("failure") is not None]
    assert "TT41-01 [S1]" in failed and "TT41-01 [S2]" in failed and "TT41-03 [S1]" in failed
    assert int(bb.get("failures")) == len(failed)
    assert nope.find("testcase/error") is not None
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    skipped = [c for c in good.iter("testcase") if c.find("skipped") is not None]
    assert any(c.get("name") == "VER-10" for c in skipped)


def test_validate_with_facts_options(capsys, files):
    code, out, _ = validate(capsys, files, "good", extra=("--direction", "incoming", "--json"))
    data = json.loads(out)[0]
    assert data["facts"]["direction"] == "incoming"
    r = next(r for r in data["results"] if r["rule_id"] == "VER-10")
    assert r["evidence"]["action"] == "accept"
    code, out, _ = validate(capsys, files, "good", extra=("--roles", "agency,agency", "--json"))
    assert code == 1
    code, _, err = validate(capsys, files, "good", extra=("--roles", "clerk"))
    assert code == 3


def test_validate_refuses_a_bad_policy_file_with_its_line(capsys, files, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[policy]\nextends = "tt41"\n\n[levels]\n"TT41-01" = "SOMETIMES"\n', "utf-8")
    code, _, err = run(capsys, "validate", str(files["good"]), "--policy", str(bad), "--offline")
    assert code == 3
    assert "dòng 5" in err and "levels.TT41-01" in err


def test_policy_show_tt41_vi_and_en(capsys):
    code, out, _ = run(capsys, "policy", "show", "tt41", "--lang", "vi")
    assert code == 0
    assert "Thông tư 41/2017/TT-BTTTT" in out and "TT41-01" in out and "BẮT BUỘC (FAIL)" in out
    assert "Căn cứ: Thông tư 41/2017/TT-BTTTT, Điều 9, khoản 1, điểm a" in out
    assert "15/11/2026" in out and "chưa xác nhận" in out
    code, out, _ = run(capsys, "policy", "show", "cdcv", "--lang", "en")
    assert "MANDATORY (FAIL)" in out and "Decree 68/2024/ND-CP" in out and "TT41-01" not in out.split("Rules")[1].split("IGNORED")[0].replace("Ignored", "")


def test_policy_show_json_list_and_schema(capsys, files):
    code, out, _ = run(capsys, "policy", "show", str(files["policy"]), "--json")
    data = json.loads(out)
    assert data["name"] == "test-tt41" and any(r["id"] == "TT41-01" and r["level"] == "FAIL" for r in data["rules"])
    code, out, _ = run(capsys, "policy", "list")
    assert code == 0 and all(n in out for n in ("tt41", "cdcv", "public", "auto"))
    code, out, _ = run(capsys, "policy", "schema")
    assert json.loads(out)["$id"].endswith("/compliance/v1")


def test_policy_init_writes_a_loadable_file(capsys, tmp_path, pki_dir, pki):
    from vbsign._core.x509 import fingerprint
    from vbsign.policy import load_policy

    out_file = tmp_path / "co-quan.toml"
    pub = fingerprint(pki.cert("pub-root"))
    code, _, _ = run(capsys, "policy", "init", str(out_file), "--extends", "cdcv",
                     "--cdcv-anchor", str(pki_dir / "gov-tsa.cert.pem"), "--national-anchor", pub)  # fmt: skip
    assert code == 0
    pol = load_policy(out_file)
    assert pol.profile.name == "cdcv" and pol.anchors.lookup(pub) is not None
    code, _, err = run(capsys, "policy", "init", str(out_file))
    assert code == 3 and "--force" in err


def test_trust_add_list_remove(capsys, tmp_path, corpus, pki_dir):
    store = tmp_path / "trust"
    vn = corpus / "vn-ca-certs"
    code, out, _ = run(capsys, "--lang", "en", "trust", "add", str(vn / "nguyentvtk-eSign.Files/vgca/rootcag2.crt"),
                       str(vn / "nguyentvtk-eSign.Files/vgca/cpcag2.crt"), "--dir", str(store))  # fmt: skip
    assert code == 0
    assert "RootCA chuyên dùng Chính phủ G2: official root certificate, government specialised" in out
    assert "intermediate CA (helps build paths)" in out
    assert len(list(store.glob("*.pem"))) == 1 and len(list((store / "intermediates").glob("*.pem"))) == 1
    # an expired legacy intermediate is said to be expired
    code, out, _ = run(capsys, "--lang", "en", "trust", "add", str(vn / "tttk6102tt-vgca/VNPTCA_BIN.cer"), "--dir", str(store))
    assert code == 0 and "EXPIRED" in out and "national / public" in out
    # the test PKI root: accepted, but never called official
    code, out, _ = run(capsys, "--lang", "en", "trust", "add", str(pki_dir / "roots.pem"), "--dir", str(store))
    assert code == 0 and "NOT an official CA certificate" in out
    # an end-entity certificate is refused, nothing written
    before = sorted(p.name for p in store.rglob("*.pem"))
    code, _, err = run(capsys, "trust", "add", str(vn / "tttk6102tt-vgca/VGCALicenseKeyGenerator.cer"), "--dir", str(store))
    assert code == 3 and "CA" in err
    assert sorted(p.name for p in store.rglob("*.pem")) == before
    code, out, _ = run(capsys, "trust", "list", "--json", "--dir", str(store))
    rows = json.loads(out)
    assert len(rows) == 5 and sum(r["official"] for r in rows) == 3
    assert {r["anchor"] for r in rows} == {True, False}
    code, out, _ = run(capsys, "trust", "add", str(vn / "nguyentvtk-eSign.Files/vgca/rootcag2.crt"), "--dir", str(store))
    assert "đã có trong kho tin cậy" in out
    code, out, _ = run(capsys, "trust", "remove", "F04BA4B4", "--dir", str(store))
    assert code == 0
    code, out, _ = run(capsys, "trust", "list", "--json", "--dir", str(store))
    assert not any(r["sha256"].startswith("F04BA4B4") for r in json.loads(out))
    code, _, err = run(capsys, "trust", "remove", "F04BA4B4", "--dir", str(store))
    assert code == 3
    code, _, err = run(capsys, "trust", "remove", "xyz", "--dir", str(store))
    assert code == 3
