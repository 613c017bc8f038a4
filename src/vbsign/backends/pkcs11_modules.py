"""Where PKCS#11 modules (token drivers) usually live — data for *suggestions* only.

vbsign never loads a module the user did not choose: a PKCS#11 module is native code that
runs inside our process, and loading the wrong vendor's driver can hang or crash it. This
table is used to tell the user which drivers seem to be installed (``vbsign token list``
without ``--module``, and the "no module configured" error) and to resolve RFC 7512
``module-name=`` values, which are themselves an explicit choice.

Sources: SoftHSM, OpenSC and p11-kit paths are the Debian/Ubuntu package paths. The
Vietnamese drivers' file names are as seen in public integrators' code and installers
(token-detection lists of VGCA/VNPT/Viettel/BKAV/CA2/FPT integrations) and in pyHanko issue
#456 (``/usr/lib/viettel-ca_v6.so``); they were not verified against a physical token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vbsign._core.i18n import Msg
from vbsign.backends.pkcs11_errors import ModuleLoadError, ModuleNotConfigured

ENV_MODULE = "VBSIGN_PKCS11_MODULE"
_WINDIR = os.environ.get("SYSTEMROOT", r"C:\Windows")


@dataclass(frozen=True)
class KnownModule:
    """A token driver: who ships it and where its PKCS#11 module is usually installed."""

    name: str
    vendor: Msg
    linux: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    #: "package" (distribution package path) or "reported" (seen in public code, unverified)
    source: str = "reported"

    def paths(self, platform: str | None = None) -> tuple[str, ...]:
        platform = platform or sys.platform
        if platform.startswith("win"):
            return self.windows
        if platform == "darwin":
            return self.macos
        return self.linux


def _sys32(*names: str) -> tuple[str, ...]:
    return tuple(str(Path(_WINDIR) / "System32" / n) for n in names)


KNOWN_MODULES: tuple[KnownModule, ...] = (
    KnownModule(
        "vgca-bit4id",
        Msg("Ban Cơ yếu Chính phủ (VGCA) — token Bit4id xPKI", "Government Cipher Committee (VGCA) — Bit4id xPKI token"),
        linux=("/usr/lib/libbit4xpki.so", "/usr/lib/bit4id/libbit4xpki.so", "/usr/local/lib/libbit4xpki.so"),
        windows=_sys32("bit4xpki.dll"),
        macos=("/Library/bit4id/pkcs11/libbit4xpki.dylib", "/usr/local/lib/libbit4xpki.dylib"),
    ),
    KnownModule(
        "viettel-ca",
        Msg("Viettel-CA", "Viettel-CA"),
        linux=("/usr/lib/viettel-ca_v6.so", "/usr/lib/viettel-ca_v5.so", "/usr/lib/viettel-ca.so"),
        windows=_sys32("viettel-ca_v6.dll", "viettel-ca_v5.dll", "viettel-ca.dll"),
    ),
    KnownModule(
        "vnpt-ca",
        Msg("VNPT-CA", "VNPT-CA"),
        linux=("/usr/lib/vnpt-ca_csp11.so", "/usr/lib/libvnptca_p11.so"),
        windows=_sys32("vnpt-ca_csp11.dll", "vnptca_p11_v8.dll", "vnpt-ca_v34.dll"),
    ),
    KnownModule("bkav-ca", Msg("BKAV-CA", "BKAV-CA"), windows=_sys32("BkavCA.dll")),
    KnownModule("ca2", Msg("CA2 (Nacencomm)", "CA2 (Nacencomm)"), windows=_sys32("CA2_csp11.dll", "CA2_v34.dll")),
    KnownModule("fpt-ca", Msg("FPT-CA", "FPT-CA"), windows=_sys32("fpt-ca.dll")),
    KnownModule(
        "safenet",
        Msg("SafeNet / Thales eToken (một số CA dùng)", "SafeNet / Thales eToken (used by several CAs)"),
        linux=("/usr/lib/libeTPkcs11.so", "/usr/lib/x86_64-linux-gnu/libeTPkcs11.so"),
        windows=_sys32("eTPKCS11.dll"),
        macos=("/usr/local/lib/libeTPkcs11.dylib",),
    ),
    KnownModule(
        "epass2003",
        Msg("Feitian ePass2003 (một số CA dùng)", "Feitian ePass2003 (used by several CAs)"),
        windows=_sys32("eps2003csp11.dll", "ShuttleCsp11_3003.dll"),
    ),
    KnownModule(
        "opensc",
        Msg("OpenSC (thẻ thông minh chuẩn, ePass2003…)", "OpenSC (standard smart cards, ePass2003…)"),
        linux=(
            "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib64/opensc-pkcs11.so",
            "/usr/lib/opensc-pkcs11.so",
        ),
        windows=(r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll",),
        macos=("/Library/OpenSC/lib/opensc-pkcs11.so",),
        source="package",
    ),
    KnownModule(
        "softhsm2",
        Msg("SoftHSM v2 (thiết bị ảo để thử nghiệm)", "SoftHSM v2 (software token for testing)"),
        linux=(
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib64/pkcs11/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so",
        ),
        windows=(r"C:\SoftHSM2\lib\softhsm2-x64.dll",),
        macos=("/opt/homebrew/lib/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"),
        source="package",
    ),
    KnownModule(
        "p11-kit-proxy",
        Msg("p11-kit (mọi mô-đun đã đăng ký với hệ thống)", "p11-kit (every module registered system-wide)"),
        linux=("/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "/usr/lib64/p11-kit-proxy.so"),
        source="package",
    ),
)


@dataclass(frozen=True)
class ModuleSuggestion:
    module: KnownModule
    path: str


def installed_modules(
    table: Iterable[KnownModule] = KNOWN_MODULES, *, platform: str | None = None
) -> list[ModuleSuggestion]:
    """Known modules whose file exists on this machine (checked with ``stat``, never loaded)."""
    out: list[ModuleSuggestion] = []
    for mod in table:
        for p in mod.paths(platform):
            if os.path.isfile(p):
                out.append(ModuleSuggestion(mod, p))
                break
    return out


def _suggestion_text(suggestions: list[ModuleSuggestion]) -> Msg:
    if not suggestions:
        return Msg(
            "Không tìm thấy trình điều khiển token quen thuộc nào trên máy này; hãy cài trình "
            "điều khiển của tổ chức cung cấp chứng thư số.",
            "No familiar token driver was found on this machine; install the driver from "
            "your certificate provider.",
        )
    vi = "Trình điều khiển có trên máy này:\n" + "\n".join(
        f"  --pkcs11-module {s.path}   ({s.module.vendor.vi})" for s in suggestions
    )
    en = "Drivers found on this machine:\n" + "\n".join(
        f"  --pkcs11-module {s.path}   ({s.module.vendor.en})" for s in suggestions
    )
    return Msg(vi, en)


def resolve_module_path(
    explicit: str | os.PathLike[str] | None = None,
    *,
    uri_path: str | None = None,
    uri_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The module to load: ``explicit`` (option), else the URI's module-path / module-name,
    else ``VBSIGN_PKCS11_MODULE``.

    Raises :class:`ModuleNotConfigured` (listing installed drivers) when nothing was chosen,
    and :class:`ModuleLoadError` when the chosen file does not exist.
    """
    env = os.environ if environ is None else environ
    chosen = os.fspath(explicit) if explicit else uri_path
    if not chosen and uri_name:
        chosen = _by_name(uri_name)
        if chosen is None:
            raise ModuleLoadError(
                Msg(
                    f"Không tìm thấy mô-đun PKCS#11 tên '{uri_name}' (module-name); dùng module-path.",
                    f"No PKCS#11 module named '{uri_name}' (module-name) was found; use module-path.",
                )
            )
    chosen = chosen or env.get(ENV_MODULE) or None
    if not chosen:
        sugg = _suggestion_text(installed_modules())
        raise ModuleNotConfigured(
            Msg(
                "Chưa chọn mô-đun PKCS#11 (trình điều khiển token): dùng --pkcs11-module ĐƯỜNG_DẪN, "
                "biến môi trường VBSIGN_PKCS11_MODULE hoặc '?module-path=' trong URI.\n" + sugg.vi,
                "No PKCS#11 module (token driver) chosen: use --pkcs11-module PATH, the "
                "VBSIGN_PKCS11_MODULE environment variable or '?module-path=' in the URI.\n" + sugg.en,
            )
        )
    if not os.path.isfile(chosen):
        sugg = _suggestion_text(installed_modules())
        raise ModuleLoadError(
            Msg(
                f"Không tìm thấy mô-đun PKCS#11: {chosen}\n{sugg.vi}",
                f"PKCS#11 module not found: {chosen}\n{sugg.en}",
            ),
            details={"module": chosen},
        )
    return chosen


def _by_name(name: str) -> str | None:
    """Resolve RFC 7512 ``module-name`` (e.g. ``softhsm2``, ``opensc-pkcs11``)."""
    wanted = name.lower().removeprefix("lib")
    for mod in KNOWN_MODULES:
        for p in mod.paths():
            stem = Path(p).name.lower().removeprefix("lib").split(".")[0]
            if (mod.name == name.lower() or stem == wanted) and os.path.isfile(p):
                return p
    dirs = ["/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/lib/pkcs11", "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/x86_64-linux-gnu/pkcs11"]
    for d in dirs:
        for fname in (f"{name}.so", f"lib{name}.so"):
            p = os.path.join(d, fname)
            if os.path.isfile(p):
                return p
    return None


__all__ = [
    "ENV_MODULE",
    "KNOWN_MODULES",
    "KnownModule",
    "ModuleSuggestion",
    "installed_modules",
    "resolve_module_path",
]
