"""The plugin manager: discovery through entry points, validation, and attributed hook calls.

One process-wide :class:`PluginManager` (pluggy, project ``"vbsign"``) is created lazily,
at the first hook call, and loads the ``vbsign`` entry-point group once:

* vbsign's own built-ins come first (entry points of the ``vbsign`` distribution, or the
  modules in :data:`BUILTINS` when running from a source tree without package metadata);
  a built-in whose optional dependencies are not installed is skipped quietly;
* then third-party plugins, unless ``VBSIGN_DISABLE_PLUGIN_AUTOLOAD=1``; names listed in
  ``VBSIGN_DISABLE_PLUGINS`` (comma-separated) are blocked;
* every plugin is validated when it registers: hook arguments must match the
  specification and any ``vbsign_*`` name that is not a known hook is an error
  (``check_pending``), so a misspelt hook is reported instead of silently ignored;
* a plugin that cannot be imported or fails validation is *not* registered and is
  reported loudly (log level ERROR, and in ``vbsign plugins list``); with ``strict``
  (``VBSIGN_PLUGINS_STRICT=1`` or ``vbsign plugins list --strict``) it is fatal.

Hooks are called through :func:`call` / :func:`call_first`, which know which plugin
produced each result and turn an exception raised inside a hook into a
:class:`~vbsign.errors.PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

import vbsign.plugins.hookspecs as hookspecs
from vbsign._core.errors import PluginError
from vbsign._core.i18n import Msg
from vbsign._version import __version__
from vbsign.plugins.hookspecs import ENTRY_POINT_GROUP, HOOK_PREFIX, PROJECT, SPEC_CLASSES

if TYPE_CHECKING:
    import importlib.metadata

logger = logging.getLogger(__name__)

#: built-in plugins: entry-point name -> module (also declared in vbsign's pyproject.toml)
BUILTINS: dict[str, str] = {
    "vbsign-builtins": "vbsign.plugins.builtin",
}
#: optional built-ins: present only when their optional extra is installed
OPTIONAL_BUILTINS: dict[str, str] = {
    "vbsign-registry": "vbsign.registry.plugin",
}
BUILTIN_DISTRIBUTION = "vbsign"

ENV_STRICT = "VBSIGN_PLUGINS_STRICT"
ENV_NO_AUTOLOAD = "VBSIGN_DISABLE_PLUGIN_AUTOLOAD"
ENV_DISABLED = "VBSIGN_DISABLE_PLUGINS"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class PluginInfo:
    """One plugin known to the manager (loaded, failed, blocked or unavailable)."""

    name: str
    #: "loaded", "failed" (import or validation error), "blocked" (disabled by
    #: configuration) or "unavailable" (a built-in whose optional extra is missing)
    status: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    builtin: bool = False
    hooks: list[str] = field(default_factory=list)
    error: Msg | None = None

    @property
    def loaded(self) -> bool:
        return self.status == "loaded"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "builtin": self.builtin,
            "hooks": list(self.hooks),
            "error_vi": self.error.vi if self.error else None,
            "error_en": self.error.en if self.error else None,
        }


class PluginManager(pluggy.PluginManager):
    """pluggy's manager for project ``vbsign`` with vbsign's validation rules."""

    def __init__(self) -> None:
        super().__init__(PROJECT)
        for spec in SPEC_CLASSES:
            self.add_hookspecs(spec)
        self._infos: dict[str, PluginInfo] = {}
        self.loaded_entry_points = False

    # ---- discovery of hook implementations ----------------------------------------------
    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is not None or not name.startswith(HOOK_PREFIX):
            return opts
        # like pytest: any vbsign_* routine is a hook implementation, so that a misspelt
        # name fails check_pending() instead of being silently ignored
        static = inspect.getattr_static(plugin, name, None)
        if isinstance(static, (staticmethod, classmethod)) or inspect.isfunction(static) or inspect.ismethod(static):
            return {}
        return None

    # ---- registration ---------------------------------------------------------------------
    def add_plugin(
        self,
        plugin: Any,
        name: str | None = None,
        *,
        distribution: str | None = None,
        version: str | None = None,
        builtin: bool = False,
    ) -> PluginInfo:
        """Register and validate ``plugin``; raise :class:`PluginError` if it is invalid."""
        plugin_name = name or self.get_canonical_name(plugin)
        module = getattr(plugin, "__name__", None) or type(plugin).__module__
        try:
            registered = self.register(plugin, plugin_name)
        except pluggy.PluginValidationError as e:
            raise _invalid(plugin_name, str(e)) from e
        except ValueError as e:  # already registered
            raise PluginError(
                Msg(
                    "Trình cắm '{p}' đã được đăng ký: {e}",
                    "Plugin '{p}' is already registered: {e}",
                ).format(p=plugin_name, e=_first_line(e)),
                details={"plugin": plugin_name},
            ) from e
        if registered is None:  # blocked name
            info = PluginInfo(plugin_name, "blocked", distribution, version, module, builtin)
            self._infos[plugin_name] = info
            return info
        try:
            self.check_pending()
            self._check_no_wrappers(plugin)
        except (pluggy.PluginValidationError, PluginError) as e:
            self.unregister(name=plugin_name)
            if isinstance(e, PluginError):
                raise
            raise _invalid(plugin_name, str(e)) from e
        info = PluginInfo(
            plugin_name, "loaded", distribution, version, module, builtin, self.hooks_of(plugin)
        )
        self._infos[plugin_name] = info
        return info

    def remove_plugin(self, name: str) -> None:
        self.unregister(name=name)
        self._infos.pop(name, None)

    def _check_no_wrappers(self, plugin: Any) -> None:
        for caller in self.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    raise _invalid(
                        self.get_name(plugin) or "?",
                        f"hook {caller.name!r}: wrapper implementations are not supported by vbsign",
                    )

    def hooks_of(self, plugin: Any) -> list[str]:
        order = hookspecs.hook_names()
        names = {c.name for c in self.get_hookcallers(plugin) or []}
        return [n for n in order if n in names] + sorted(names - set(order))

    # ---- entry points --------------------------------------------------------------------
    def load_entry_points(
        self, *, autoload: bool = True, disabled: frozenset[str] = frozenset()
    ) -> list[PluginInfo]:
        """Load the ``vbsign`` entry-point group (built-ins first); return the problems."""
        import importlib.metadata

        eps = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
            key=lambda ep: (_dist_name(ep) != BUILTIN_DISTRIBUTION, ep.name),
        )
        for ep in eps:
            if self.has_plugin(ep.name) or ep.name in self._infos:
                continue  # a second copy of the same distribution on sys.path
            dist, version = _dist_name(ep), _dist_version(ep)
            builtin = dist == BUILTIN_DISTRIBUTION
            if not builtin and (not autoload or ep.name in disabled):
                self._infos[ep.name] = PluginInfo(ep.name, "blocked", dist, version, ep.value, False)
                continue
            self._load_one(ep.name, ep.value, ep.load, dist, version, builtin)
        # running from a source tree (no package metadata): register the built-ins directly
        for name, module in {**BUILTINS, **OPTIONAL_BUILTINS}.items():
            if name not in self._infos and not self.has_plugin(name):
                self._load_one(
                    name, module, lambda m=module: importlib.import_module(m),
                    BUILTIN_DISTRIBUTION, __version__, True,
                )
        self.loaded_entry_points = True
        return self.problems()

    def _load_one(
        self, name: str, target: str, loader: Any, dist: str | None, version: str | None, builtin: bool
    ) -> None:
        module = target.split(":", 1)[0]
        try:
            plugin = loader()
        except ImportError as e:
            if builtin and name in OPTIONAL_BUILTINS and _missing_module_is_optional(e, module):
                self._infos[name] = PluginInfo(name, "unavailable", dist, version, module, True)
                logger.debug("built-in plugin %s unavailable: %s", name, e)
                return
            self._failed(name, dist, version, module, builtin, e)
            return
        except Exception as e:  # any error while importing a third-party module
            self._failed(name, dist, version, module, builtin, e)
            return
        try:
            self.add_plugin(plugin, name, distribution=dist, version=version, builtin=builtin)
        except PluginError as e:
            info = PluginInfo(name, "failed", dist, version, module, builtin, error=e.msg)
            self._infos[name] = info
            logger.error("%s", e.msg.get())

    def _failed(
        self, name: str, dist: str | None, version: str | None, module: str, builtin: bool, e: BaseException
    ) -> None:
        msg = Msg(
            "Không nạp được trình cắm '{p}' ({d}): {t}: {e}",
            "Cannot load plugin '{p}' ({d}): {t}: {e}",
        ).format(p=name, d=f"{dist} {version}" if dist else module, t=type(e).__name__, e=_first_line(e))
        self._infos[name] = PluginInfo(name, "failed", dist, version, module, builtin, error=msg)
        logger.error("%s", msg.get())

    # ---- introspection ---------------------------------------------------------------------
    def infos(self) -> list[PluginInfo]:
        """Every plugin seen: built-ins first, then by name; hooks refreshed."""
        out = []
        for info in self._infos.values():
            plugin = self.get_plugin(info.name)
            if plugin is not None:
                info.hooks = self.hooks_of(plugin)
            out.append(info)
        return sorted(out, key=lambda i: (not i.builtin, i.name))

    def problems(self) -> list[PluginInfo]:
        return [i for i in self._infos.values() if i.status == "failed"]


def _invalid(name: str, detail: str) -> PluginError:
    return PluginError(
        Msg(
            "Trình cắm '{p}' không hợp lệ: {e}",
            "Plugin '{p}' is invalid: {e}",
        ).format(p=name, e=_first_line(detail)),
        details={"plugin": name, "detail": detail},
    )


def _first_line(e: object) -> str:
    text = str(e).strip() or type(e).__name__
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:300] + "…"


def _dist_name(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None
    name = dist.metadata["Name"]
    return str(name) if name else None


def _dist_version(ep: importlib.metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return str(dist.version) if dist is not None else None


def _missing_module_is_optional(e: ImportError, module: str) -> bool:
    """True if the built-in is absent from this installation (its extra is not installed, or
    the module is not part of this build); False if the built-in itself is broken."""
    if not isinstance(e, ModuleNotFoundError) or e.name is None:
        return False
    if not (e.name == "vbsign" or e.name.startswith("vbsign.")):
        return True  # a third-party dependency of the optional extra
    return module == e.name or module.startswith(e.name + ".")


# ---- the process-wide manager ------------------------------------------------------------

_lock = threading.RLock()
_manager: PluginManager | None = None
_loading: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    """The process-wide manager, created and loaded on first use (thread-safe)."""
    m = _manager
    if m is not None:
        return m
    return load_plugins()


def load_plugins(*, strict: bool | None = None) -> PluginManager:
    """Load plugins now (once); with ``strict`` a plugin that failed to load is fatal.

    ``strict`` defaults to ``VBSIGN_PLUGINS_STRICT``. Calling again after loading only
    re-checks the recorded problems.
    """
    global _manager, _loading
    if strict is None:
        strict = _env_flag(ENV_STRICT)
    with _lock:
        if _loading is not None:  # a plugin's import-time code called back into vbsign
            return _loading
        m = _manager
        if m is None:
            m = PluginManager()
            _loading = m
            try:
                disabled = frozenset(
                    n.strip() for n in os.environ.get(ENV_DISABLED, "").split(",") if n.strip()
                )
                m.load_entry_points(autoload=not _env_flag(ENV_NO_AUTOLOAD), disabled=disabled)
            finally:
                _loading = None
            _manager = m
    if strict:
        raise_problems(m)
    return m


def raise_problems(m: PluginManager) -> None:
    problems = m.problems()
    if problems:
        raise PluginError(
            Msg(
                "Có {n} trình cắm không nạp được (chế độ nghiêm ngặt): {d}",
                "{n} plugin(s) failed to load (strict mode): {d}",
            ).format(
                n=len(problems),
                d="; ".join(p.error.vi if p.error else p.name for p in problems),
            ),
            details={"plugins": [p.name for p in problems]},
        )


def reset_plugin_manager() -> None:
    """Forget the loaded plugins; the next hook call loads them again (tests, reconfiguration)."""
    global _manager
    with _lock:
        _manager = None


@contextmanager
def use_plugin_manager(pm: PluginManager) -> Iterator[PluginManager]:
    """Use ``pm`` as the process-wide manager inside the block (tests, embedded hosts)."""
    global _manager
    with _lock:
        old, _manager = _manager, pm
    try:
        yield pm
    finally:
        with _lock:
            _manager = old


def register(plugin: Any, name: str | None = None) -> PluginInfo:
    """Register a plugin object (a module, class instance…) with the process-wide manager.

    This is how a host system adds its own hooks without packaging an entry point.
    Raises :class:`~vbsign.errors.PluginError` if the plugin is invalid (e.g. a misspelt
    hook name); nothing is registered then.
    """
    return get_plugin_manager().add_plugin(plugin, name)


def unregister(name: str) -> None:
    """Remove a plugin registered under ``name`` (no error if absent)."""
    get_plugin_manager().remove_plugin(name)


@contextmanager
def registered(plugin: Any, name: str | None = None) -> Iterator[PluginInfo]:
    """Register ``plugin`` for the duration of the block."""
    info = register(plugin, name)
    try:
        yield info
    finally:
        unregister(info.name)


# ---- attributed hook calls ---------------------------------------------------------------


def _impls(pm: PluginManager, hook: str) -> list[Any]:
    caller = getattr(pm.hook, hook, None)
    if caller is None:
        raise KeyError(hook)
    # pluggy calls the last registered (and tryfirst) implementations first
    return list(reversed(caller.get_hookimpls()))


def _invoke(impl: Any, hook: str, kwargs: dict[str, Any]) -> Any:
    args = {k: kwargs[k] for k in (*impl.argnames, *impl.kwargnames) if k in kwargs}
    try:
        return impl.function(**args)
    except PluginError:
        raise  # already attributed (a nested vbsign call inside the hook)
    except Exception as e:
        raise PluginError(
            Msg(
                "Trình cắm '{p}' gặp lỗi trong {h}: {t}: {e}",
                "Plugin '{p}' failed in {h}: {t}: {e}",
            ).format(p=impl.plugin_name, h=hook, t=type(e).__name__, e=_first_line(e)),
            details={"plugin": impl.plugin_name, "hook": hook, "error": type(e).__name__},
        ) from e


def call(hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call every implementation of ``hook``; return ``[(plugin_name, result)]`` (non-None)."""
    pm = get_plugin_manager()
    out: list[tuple[str, Any]] = []
    for impl in _impls(pm, hook):
        result = _invoke(impl, hook, kwargs)
        if result is not None:
            out.append((impl.plugin_name, result))
    return out


def call_each(hook: str, make_kwargs: Callable[[], dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Call the implementations of ``hook`` one at a time, each with its own arguments.

    ``make_kwargs()`` is called once per implementation (e.g. to give each plugin its own
    copy of a mutable object); yields ``(plugin_name, the arguments it got, its result)``
    right after each call, so the caller can check what that plugin did before the next
    one runs — and name it.
    """
    pm = get_plugin_manager()
    for impl in _impls(pm, hook):
        kwargs = make_kwargs()
        yield impl.plugin_name, kwargs, _invoke(impl, hook, kwargs)


def call_first(hook: str, **kwargs: Any) -> tuple[str, Any] | None:
    """Call implementations of a ``firstresult`` hook until one returns non-None."""
    pm = get_plugin_manager()
    for impl in _impls(pm, hook):
        result = _invoke(impl, hook, kwargs)
        if result is not None:
            return impl.plugin_name, result
    return None


def has_implementations(hook: str) -> bool:
    caller = getattr(get_plugin_manager().hook, hook, None)
    return bool(caller is not None and caller.get_hookimpls())
