"""Issue 14 item 6: bounds for every input, not only documents.

A 50 MB policy file took 34 s and 650 MB before it was refused; a policy or appearance
file nested a few thousand levels deep ended in a RecursionError traceback. Every
configuration, key, certificate, PIN, image, font and manifest file now has a size bound
checked before reading, and TOML/JSON files bounds on entries and nesting, each refused
with a clear bilingual error of the caller's type.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vbsign._core.errors import ConfigurationError, InputError, PolicyError


def _fp(i: int) -> str:
    return ":".join(f"{(i >> (8 * (k % 4))) & 0xFF:02X}" for k in range(32))


def test_a_50_mb_policy_file_is_refused_fast(tmp_path: Path) -> None:
    from vbsign.policy import load_policy

    big = tmp_path / "big.toml"
    line = f'"{_fp(1)}",\n'.encode()
    with big.open("wb") as fh:
        fh.write(b'[policy]\nextends = "tt41"\n[classification]\nperson = [\n')
        fh.write(line * ((50 << 20) // len(line)))
        fh.write(b"]\n")
    assert big.stat().st_size > 50_000_000
    t = time.monotonic()
    with pytest.raises(PolicyError) as ei:
        load_policy(big)
    assert time.monotonic() - t < 1.0
    assert "big.toml" in ei.value.msg.en and "too large" in ei.value.msg.en and "1 MiB" in ei.value.msg.en
    assert "quá lớn" in ei.value.msg.vi and ei.value.details["limit"] == "size"


def test_the_cli_refuses_a_huge_policy_with_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        sample_pdf_path: Path) -> None:
    from vbsign.cli.main import main

    big = tmp_path / "p.toml"
    with big.open("wb") as fh:
        fh.truncate(50 << 20)  # what a stray copy of a binary file looks like
    with pytest.raises(SystemExit) as ei:
        main(["--lang", "en", "validate", str(sample_pdf_path), "--policy", str(big), "--offline"])
    err = capsys.readouterr().err
    assert ei.value.code == 3 and "too large" in err and "Traceback" not in err


def test_too_many_entries_in_a_policy_file(tmp_path: Path) -> None:
    from vbsign.policy import load_policy

    many = tmp_path / "many.toml"
    many.write_text('[policy]\nextends = "tt41"\n[classification]\nperson = [' + ",".join('"x"' for _ in range(60_000))
                    + "]\n", encoding="utf-8")
    assert many.stat().st_size < 1 << 20
    with pytest.raises(PolicyError, match="too many entries"):
        load_policy(many)


@pytest.mark.parametrize("kind", ["array", "table"])
def test_deeply_nested_policy_and_appearance_files_are_errors_not_tracebacks(tmp_path: Path, kind: str) -> None:
    from vbsign.appearance import AgencyConfig
    from vbsign.policy import load_policy

    deep = ("x = " + "[" * 5000 + "]" * 5000) if kind == "array" else ("x = " + "{a = " * 3000 + "1" + "}" * 3000)
    p = tmp_path / "deep.toml"
    p.write_text('[policy]\nextends = "tt41"\n' + deep + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="nested too deeply"):
        load_policy(p)
    a = tmp_path / "appearance.toml"
    a.write_text(deep + "\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as ei:
        AgencyConfig.load(a)
    assert "too large" in ei.value.msg.en or "nested too deeply" in ei.value.msg.en


def test_appearance_file_bounds(tmp_path: Path) -> None:
    from vbsign.appearance import AgencyConfig

    big = tmp_path / "a.toml"
    big.write_text('agency_name = "' + "Bộ " * 40_000 + '"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="too large"):
        AgencyConfig.load(big)


def test_certificate_key_pin_and_image_files_are_bounded(tmp_path: Path, pki_dir: Path) -> None:
    from vbsign import api
    from vbsign.appearance.images import load_image
    from vbsign.backends.pkcs11 import _PinSource
    from vbsign.pki.trust import TrustStore

    huge = tmp_path / "huge.pem"
    with huge.open("wb") as fh:
        fh.truncate(64 << 20)
    t = time.monotonic()
    with pytest.raises(InputError, match="too large"):
        TrustStore.from_paths([huge])
    with pytest.raises(InputError, match="too large"):
        api.Signer(huge, passphrase="x")
    with pytest.raises(InputError, match="too large"):
        load_image(huge, "seal")
    pin = tmp_path / "pin.txt"
    pin.write_bytes(b"1" * 10_000)
    with pytest.raises(InputError, match="too large"):
        _PinSource(None, None, str(pin)).get(None)  # type: ignore[arg-type]
    assert time.monotonic() - t < 2


def test_registry_import_names_a_huge_file(tmp_path: Path, pki_dir: Path) -> None:
    from vbsign.registry import Registry

    folder = tmp_path / "certs"
    folder.mkdir()
    (folder / "person.pem").write_bytes((pki_dir / "person.cert.pem").read_bytes())
    with (folder / "huge.cer").open("wb") as fh:
        fh.truncate(64 << 20)
    with Registry.open(f"sqlite:///{tmp_path / 'r.sqlite3'}", create=True) as reg:
        result = reg.import_paths([folder])
    problems = {Path(p.source).name: p.message.en for p in result.problems}
    assert "too large" in problems["huge.cer"]


def test_evidence_and_testpki_manifests_are_bounded(tmp_path: Path) -> None:
    from vbsign.host import EvidenceBundle
    from vbsign.testpki.export import read_manifest

    d = tmp_path / "ev"
    d.mkdir()
    (d / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError):
        EvidenceBundle.load(d)
    (d / "testpki.json").write_text('{"a":' * 50 + "1" + "}" * 50, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        read_manifest(d)


def test_every_bound_is_documented() -> None:
    from vbsign._core.bounds import BOUNDS, _size_text

    text = (Path(__file__).resolve().parents[2] / "docs" / "security.rst").read_text("utf-8")
    for name, bound in BOUNDS.items():
        assert f"``{name}``" in text, name
        assert _size_text(bound.max_bytes) in text, (name, bound.max_bytes)

