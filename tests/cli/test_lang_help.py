"""Help in both languages: VBSIGN_LANG=en applies to the command list, option help has English too."""

from __future__ import annotations

import pytest

from tests.cli.helpers import run_vbsign


def test_env_lang_switches_command_list() -> None:
    out = run_vbsign("--help", lang="en").stdout
    assert "Commands:" in out and "Verify signatures" in out
    assert "Lệnh:" not in out
    out = run_vbsign("--help").stdout
    assert "Lệnh:" in out and "Kiểm tra chữ ký số" in out


@pytest.mark.parametrize(
    ("command", "english"),
    [
        (["sign"], "network timeout (s)"),
        (["verify"], "network timeout (s)"),
        (["validate"], "network timeout (s)"),
        (["registry", "cert", "check-revocation"], "network timeout (s)"),
        (["testpki", "init"], "service port"),
        (["testpki", "init"], "passphrase of the .p12 files"),
        (["testpki", "serve"], "port (default"),
        (["demo"], "output directory"),
    ],
)
def test_option_help_is_bilingual(command: list[str], english: str) -> None:
    proc = run_vbsign(*command, "--help")
    assert proc.returncode == 0
    assert english in " ".join(proc.stdout.split())


@pytest.mark.parametrize(
    ("group", "vi", "en"),
    [
        (["trust"], "Liệt kê kho tin cậy", "List the trust store"),
        (["policy"], "Liệt kê các hồ sơ chính sách", "List the policy profiles"),
        (["registry"], "Đơn vị (cây tổ chức)", "Units (organisation tree)"),
        (["registry", "cert"], "Liệt kê chứng thư số", "List certificates"),
        (["plugins"], "Liệt kê các hook của vbsign", "List vbsign's hooks"),
    ],
)
def test_group_command_lists_follow_lang(group: list[str], vi: str, en: str) -> None:
    out_vi = run_vbsign(*group, "--help").stdout
    assert "Lệnh:" in out_vi and vi in out_vi and en not in out_vi
    out_en = run_vbsign("--lang", "en", *group, "--help").stdout
    assert "Commands:" in out_en and en in out_en and vi not in out_en
    assert en in run_vbsign(*group, "--help", lang="en").stdout
