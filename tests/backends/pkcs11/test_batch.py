"""Batches on a token: one login, per-signature login for always-authenticate keys,
and a token pulled out in the middle (earlier outputs valid, no partial output)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pkcs11
import pytest

from vbsign import api
from vbsign._core.errors import InputError, SigningError
from vbsign.api.batch import FileResult, FileStatus, plan_jobs
from vbsign.backends.pkcs11 import PinPrompt
from vbsign.backends.pkcs11_errors import PinRequired, TokenUnavailable
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri
from vbsign.model.report import Indication


def _inputs(tmp_path: Path, data: bytes, n: int) -> Path:
    src = tmp_path / "vao"
    src.mkdir()
    for i in range(n):
        (src / f"Quyết định số {i + 1}.pdf").write_bytes(data)
    (src / "ghi chú.txt").write_text("not a PDF, not signed")
    return src


def _signer(uri: str, pki: Any, services: Any, tsa: Any, t0: Any, **key_options: Any) -> api.Signer:
    return api.Signer(uri, key_options=key_options, trust=pki.roots, tsa=tsa, level="B-LT",
                      services=services, clock=lambda: t0)


def _spy_uri(spy: Any, softhsm: Any, name: str) -> str:
    p = softhsm.ids[name]
    return format_uri(Pkcs11Uri(token=p.token, object=p.label, module_path=spy.module))


def test_batch_signs_everything_with_one_login(
    softhsm: Any, spy: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes,
    verify_at: Any, tmp_path: Path,
) -> None:
    src = _inputs(tmp_path, sample_pdf, 4)
    seen: list[FileResult] = []
    with _signer(_spy_uri(spy, softhsm, "person"), pki, services, tsa, t0, pin=softhsm.pin) as signer:
        result = signer.sign_many(src, tmp_path / "ra", on_result=seen.append, reason="Ban hành")
        assert signer.key.signature_count == 4  # type: ignore[attr-defined]
    assert result.ok and result.exit_code == 0
    assert [f.status for f in result.files] == [FileStatus.SIGNED] * 4
    assert len(seen) == 4 and sorted(f.source.name for f in seen) == sorted(p.name for p in src.glob("*.pdf"))
    assert spy.logins() == ["CKU_USER"]  # one login for the whole batch
    for f in result.files:
        assert verify_at(f.output.read_bytes()).indication == Indication.TOTAL_PASSED
    assert (src / "Quyết định số 1.pdf").read_bytes() == sample_pdf  # inputs untouched
    # re-running skips what exists (resume after an interruption), and still logs in once
    with _signer(_spy_uri(spy, softhsm, "person"), pki, services, tsa, t0, pin=softhsm.pin) as signer:
        again = signer.sign_many(src, tmp_path / "ra")
    assert [f.status for f in again.files] == [FileStatus.EXISTS] * 4 and again.ok


def test_always_authenticate_key_logs_in_per_signature_and_asks_each_time(
    softhsm: Any, spy: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes,
    verify_at: Any, tmp_path: Path,
) -> None:
    src = _inputs(tmp_path, sample_pdf, 3)
    asked: list[PinPrompt] = []

    def callback(prompt: PinPrompt) -> str:
        asked.append(prompt)
        return softhsm.pin

    with _signer(_spy_uri(spy, softhsm, "always"), pki, services, tsa, t0, pin_callback=callback) as signer:
        result = signer.sign_many(src, tmp_path / "ra")
        assert signer.key.always_authenticate is True  # type: ignore[attr-defined]
    assert result.ok, result.summary().en
    assert [p.context_specific for p in asked] == [False, True, True, True]
    assert "để ký" in asked[1].question().vi
    # SoftHSM enforces CKA_ALWAYS_AUTHENTICATE; the spy shows the context-specific logins
    assert spy.logins() == ["CKU_USER"] + ["CKU_CONTEXT_SPECIFIC"] * 3
    for f in result.files:
        assert verify_at(f.output.read_bytes()).indication == Indication.TOTAL_PASSED


def test_always_authenticate_without_a_pin_for_the_signature_fails_cleanly(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, tmp_path: Path,
) -> None:
    answers = iter([softhsm.pin, None])  # the user cancels the per-signature prompt
    src = _inputs(tmp_path, sample_pdf, 2)
    with _signer(softhsm.uri_of("always"), pki, services, tsa, t0, pin_callback=lambda p: next(answers)) as signer:
        result = signer.sign_many(src, tmp_path / "ra")
    first, second = result.files
    assert first.status is FileStatus.FAILED and isinstance(first.error, PinRequired)
    assert second.status is FileStatus.SKIPPED  # a key error stops the batch
    assert not (tmp_path / "ra").exists() or not list((tmp_path / "ra").iterdir())


def test_token_removed_mid_batch(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
    tmp_path: Path,
) -> None:
    src = _inputs(tmp_path, sample_pdf, 5)
    out = tmp_path / "ra"
    order: list[str] = []

    def pull_token_after_two(res: FileResult) -> None:
        order.append(res.source.name)
        if len(order) == 2:
            # simulate unplugging: the module is finalised under the open session
            pkcs11.lib(softhsm.module).finalize()

    with _signer(softhsm.uri_of("person-ec"), pki, services, tsa, t0, pin=softhsm.pin) as signer:
        result = signer.sign_many(src, out, on_result=pull_token_after_two)
    statuses = [f.status for f in result.files]
    assert statuses == [FileStatus.SIGNED] * 2 + [FileStatus.FAILED] + [FileStatus.SKIPPED] * 2
    failed = result.files[2]
    assert isinstance(failed.error, TokenUnavailable)
    msg = failed.message()
    assert failed.source.name in msg.vi and "không tạo tệp đầu ra" in msg.vi
    assert "no output written" in msg.en and "stopped answering" in msg.en
    assert not result.ok and result.exit_code != 0
    assert result.stopped_by is not None and failed.source.name in result.stopped_by.message_en
    # earlier outputs are complete and valid; the current and later files left nothing
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f.output.name for f in result.files[:2])
    for f in result.files[:2]:
        assert verify_at(f.output.read_bytes()).indication == Indication.TOTAL_PASSED
    with pytest.raises(SigningError) as ei:  # all failures as one error, file by file
        result.raise_for_failures()
    assert "3 file(s)" in ei.value.message_en and failed.source.name in ei.value.message_vi


def test_batch_concurrency_keeps_order_and_one_login(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
    tmp_path: Path,
) -> None:
    src = _inputs(tmp_path, sample_pdf, 4)
    with _signer(softhsm.uri_of("gen-ec"), pki, services, tsa, t0, pin=softhsm.pin) as signer:
        result = signer.sign_many(src, tmp_path / "ra", concurrency=3)
        assert signer.key.login_count == 1  # type: ignore[attr-defined]
    assert result.ok
    assert [f.source.name for f in result.files] == sorted(p.name for p in src.glob("*.pdf"))
    assert verify_at(result.files[-1].output.read_bytes()).indication == Indication.TOTAL_PASSED


def test_plan_refuses_to_write_into_the_input_directory(tmp_path: Path, sample_pdf: bytes) -> None:
    src = _inputs(tmp_path, sample_pdf, 1)
    with pytest.raises(InputError) as ei:
        plan_jobs(src, src)
    assert "never overwrites" in ei.value.message_en
    with pytest.raises(InputError):
        plan_jobs([src / "Quyết định số 1.pdf", tmp_path / "Quyết định số 1.pdf"], tmp_path / "ra")
