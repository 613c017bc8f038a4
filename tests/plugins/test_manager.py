"""Plugin discovery and validation: entry points, built-ins, misspelt hooks, broken plugins."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from vbsign._core.errors import PluginError
from vbsign.plugins import hookspecs, manager

ROOT = Path(__file__).resolve().parents[2]
VBSIGN = str(Path(sys.executable).with_name("vbsign"))


def make_dist(site: Path, dist: str, module: str, source: str, ep_name: str | None = None) -> None:
    """A real (unpacked) distribution on ``site``: module + .dist-info with an entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[vbsign]\n{ep_name or dist} = {module}\n", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "site"
    d.mkdir()
    monkeypatch.syspath_prepend(str(d))
    return d


def test_builtins_are_registered_through_entry_points(pm: manager.PluginManager) -> None:
    from vbsign import backends, plugins

    info = {i.name: i for i in pm.infos()}["vbsign-builtins"]
    assert info.loaded and info.builtin and info.distribution == "vbsign"
    assert "vbsign_key_backends" in info.hooks and "vbsign_report_renderers" in info.hooks
    # the built-in key backends are what the plugin layer resolves
    assert plugins.key_backend_factory("pkcs11") is backends._pkcs11_factory
    assert plugins.key_backend_factory("PKCS12") is backends._software_factory
    assert plugins.key_backend_factory("smartca") is None
    assert set(plugins.report_renderers()) >= {"text", "json"}


def test_every_hook_is_documented_and_prefixed() -> None:
    names = hookspecs.hook_names()
    assert "vbsign_audit_event" in names and "vbsign_certificate_alert" in names
    assert len(names) == len(set(names)) >= 14
    for cls in hookspecs.SPEC_CLASSES:
        for name in (n for n in vars(cls) if n.startswith("vbsign_")):
            fn = vars(cls)[name]
            doc = inspect.getdoc(fn) or ""
            assert len(doc) > 80, name
            # the docstring states the firstresult behaviour, and it is the real one
            if hookspecs.is_firstresult(name):
                assert "``firstresult``" in doc and "Not ``firstresult``" not in doc, name
            else:
                assert "Not ``firstresult``" in doc, name
            # every argument is typed
            sig = inspect.signature(fn)
            assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values() if p.name != "self")
            assert sig.return_annotation is not inspect.Signature.empty


def test_misspelt_hook_is_an_error_naming_the_plugin(pm: manager.PluginManager) -> None:
    class Sloppy:
        def vbsign_audit_evnt(self, event: Any) -> None:  # misspelt on purpose
            pass

    with pytest.raises(PluginError) as ei:
        pm.add_plugin(Sloppy(), "sloppy")
    assert "sloppy" in ei.value.msg.vi and "vbsign_audit_evnt" in ei.value.msg.en
    assert not pm.has_plugin("sloppy")  # nothing half-registered
    assert all(i.plugin_name != "sloppy" for i in pm.hook.vbsign_audit_event.get_hookimpls())


def test_wrong_hook_argument_is_an_error(pm: manager.PluginManager) -> None:
    class Confused:
        def vbsign_after_verify(self, report: Any, verdict: Any) -> None:
            pass

    with pytest.raises(PluginError) as ei:
        pm.add_plugin(Confused(), "confused")
    assert "confused" in str(ei.value) and "verdict" in str(ei.value)
    assert not pm.has_plugin("confused")


def test_wrapper_implementations_are_refused(pm: manager.PluginManager) -> None:
    from vbsign.plugins import hookimpl

    class Wrapper:
        @hookimpl(wrapper=True)
        def vbsign_after_verify(self, report: Any) -> Any:
            return (yield)

    with pytest.raises(PluginError, match="wrapper"):
        pm.add_plugin(Wrapper(), "wrapper")
    assert not pm.has_plugin("wrapper")


def test_non_hook_names_are_ignored(pm: manager.PluginManager) -> None:
    class Plain:
        vbsign_version = "1.0"  # not a routine: not a hook

        def helper(self) -> None:
            pass

        def vbsign_audit_event(self, event: Any) -> None:
            pass

    info = pm.add_plugin(Plain(), "plain")
    assert info.hooks == ["vbsign_audit_event"]


def test_entry_point_plugins_load_and_failures_are_reported(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    make_dist(site, "vbsign-good", "vbsign_good_plugin", """
        def vbsign_audit_event(event):
            pass
    """, "good")
    make_dist(site, "vbsign-broken", "vbsign_broken_plugin", """
        import a_module_that_does_not_exist_anywhere
    """, "broken")
    make_dist(site, "vbsign-typo", "vbsign_typo_plugin", """
        def vbsign_before_sing(request):
            pass
    """, "typo")
    pm = manager.PluginManager()
    with caplog.at_level("ERROR", logger="vbsign.plugins.manager"):
        problems = pm.load_entry_points()
    infos = {i.name: i for i in pm.infos()}
    assert infos["good"].loaded and infos["good"].distribution == "vbsign-good" and infos["good"].version == "0.3"
    assert infos["good"].hooks == ["vbsign_audit_event"]
    assert {p.name for p in problems} == {"broken", "typo"}
    assert infos["broken"].status == "failed" and "a_module_that_does_not_exist_anywhere" in infos["broken"].error.en
    assert "vbsign_before_sing" in infos["typo"].error.en
    assert not pm.has_plugin("broken") and not pm.has_plugin("typo")
    # loud: logged at ERROR, naming each plugin
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "'broken'" in logged and "'typo'" in logged
    # strict: fatal, naming them
    with pytest.raises(PluginError) as ei:
        manager.raise_problems(pm)
    assert "broken" in str(ei.value) and "typo" in str(ei.value)


def test_disabled_plugins_and_no_autoload(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dist(site, "vbsign-good", "vbsign_good_plugin2", "def vbsign_audit_event(event):\n    pass\n", "good2")
    pm = manager.PluginManager()
    pm.load_entry_points(disabled=frozenset({"good2"}))
    assert {i.name: i.status for i in pm.infos()}["good2"] == "blocked"
    assert not pm.has_plugin("good2")
    pm2 = manager.PluginManager()
    pm2.load_entry_points(autoload=False)
    assert not pm2.has_plugin("good2") and pm2.has_plugin("vbsign-builtins")


def test_global_manager_is_loaded_once_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = manager.PluginManager.load_entry_points

    def counting(self: manager.PluginManager, **kw: Any) -> Any:
        calls.append(1)
        return real(self, **kw)

    monkeypatch.setattr(manager.PluginManager, "load_entry_points", counting)
    monkeypatch.setattr(manager, "_manager", None)
    first = manager.get_plugin_manager()
    assert manager.get_plugin_manager() is first and manager.load_plugins() is first
    assert len(calls) == 1


def test_register_unregister_for_hosts(pm: manager.PluginManager) -> None:
    from vbsign import plugins

    class HostPlugin:
        def vbsign_audit_event(self, event: Any) -> None:
            pass

    with plugins.registered(HostPlugin(), "dms") as info:
        assert info.loaded and pm.has_plugin("dms")
        with pytest.raises(PluginError, match="dms"):
            plugins.register(HostPlugin(), "dms")
    assert not pm.has_plugin("dms")


def _run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VBSIGN, *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_plugins_list_and_strict(site: Path) -> None:
    make_dist(site, "vbsign-cli-good", "vbsign_cli_good", "def vbsign_audit_event(event):\n    pass\n", "cli-good")
    make_dist(site, "vbsign-cli-typo", "vbsign_cli_typo", "def vbsign_audit_evnt(event):\n    pass\n", "cli-typo")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
           "VBSIGN_LANG": "en"}
    env.pop("VBSIGN_DISABLE_PLUGIN_AUTOLOAD", None)
    ok = _run_cli("plugins", "list", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "cli-good (vbsign-cli-good 0.3): loaded" in ok.stdout
    assert "hooks: vbsign_audit_event" in ok.stdout
    assert "cli-typo (vbsign-cli-typo 0.3): FAILED" in ok.stdout and "vbsign_audit_evnt" in ok.stdout
    assert "vbsign-builtins (vbsign" in ok.stdout
    strict = _run_cli("plugins", "list", "--strict", env=env)
    assert strict.returncode == 3
    assert "cli-typo" in strict.stderr and "strict" in strict.stderr
