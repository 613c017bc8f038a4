"""Choosing the PKCS#11 module: explicit choices only; the known-driver table only suggests."""

from __future__ import annotations

import os
from pathlib import Path

import pkcs11
import pytest

from vbsign.backends.pkcs11_errors import ModuleLoadError, ModuleNotConfigured
from vbsign.backends.pkcs11_modules import KNOWN_MODULES, installed_modules, resolve_module_path

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def test_precedence_option_then_uri_then_environment(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.so", "b.so", "c.so"))
    for p in (a, b, c):
        p.write_bytes(b"not loaded")
    env = {"VBSIGN_PKCS11_MODULE": str(c)}
    assert resolve_module_path(a, uri_path=str(b), environ=env) == str(a)
    assert resolve_module_path(None, uri_path=str(b), environ=env) == str(b)
    assert resolve_module_path(None, environ=env) == str(c)


def test_module_name_resolves_through_the_table() -> None:
    assert os.path.realpath(resolve_module_path(None, uri_name="softhsm2", environ={})) == os.path.realpath(SOFTHSM)
    with pytest.raises(ModuleLoadError):
        resolve_module_path(None, uri_name="no-such-driver", environ={})


def test_nothing_chosen_lists_installed_drivers_without_loading_them() -> None:
    before = set(pkcs11._loaded)
    with pytest.raises(ModuleNotConfigured) as ei:
        resolve_module_path(None, environ={})
    assert SOFTHSM in ei.value.message_en and "--pkcs11-module" in ei.value.message_en
    assert "Trình điều khiển có trên máy này" in ei.value.message_vi
    assert set(pkcs11._loaded) == before  # suggestions are stat()ed, never dlopen()ed


def test_missing_module_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ModuleLoadError) as ei:
        resolve_module_path(tmp_path / "viettel-ca_v6.so", environ={})
    assert "viettel-ca_v6.so" in ei.value.message_en


def test_table_covers_vietnamese_drivers_on_each_platform() -> None:
    names = {m.name for m in KNOWN_MODULES}
    assert {"vgca-bit4id", "viettel-ca", "vnpt-ca", "softhsm2", "opensc"} <= names
    viettel = next(m for m in KNOWN_MODULES if m.name == "viettel-ca")
    assert "/usr/lib/viettel-ca_v6.so" in viettel.paths("linux")  # pyHanko #456
    assert any(p.endswith("viettel-ca_v6.dll") for p in viettel.paths("win32"))
    assert all(m.vendor.vi and m.vendor.en for m in KNOWN_MODULES)
    found = {s.module.name for s in installed_modules(platform="linux")}
    assert "softhsm2" in found
