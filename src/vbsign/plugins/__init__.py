"""Plugins: the ``vbsign_*`` hooks (:mod:`~vbsign.plugins.hookspecs`), discovery and calls.

Importing this package is cheap: plugins are discovered and loaded on the first hook
call (see :mod:`vbsign.plugins.manager`). A plugin is any module or object with
``vbsign_*`` functions, published through the ``vbsign`` entry-point group or registered
at run time with :func:`register`::

    from vbsign.plugins import hookimpl

    @hookimpl
    def vbsign_audit_event(event):
        print(event.kind, event.document_sha256)
"""

from __future__ import annotations

from vbsign.model.sign import SignDecision, SignRequest
from vbsign.plugins.hookspecs import (
    ENTRY_POINT_GROUP,
    KeyFactory,
    ReportRenderer,
    hook_names,
    hookimpl,
    hookspec,
)
from vbsign.plugins.lifecycle import (
    SignatureVetoed,
    emit_audit_event,
    key_backend_factory,
    notify_certificate_alert,
    policy_profiles,
    policy_rules,
    render_report,
    report_renderers,
)
from vbsign.plugins.manager import (
    PluginInfo,
    PluginManager,
    get_plugin_manager,
    load_plugins,
    register,
    registered,
    reset_plugin_manager,
    unregister,
    use_plugin_manager,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "KeyFactory",
    "PluginInfo",
    "PluginManager",
    "ReportRenderer",
    "SignDecision",
    "SignRequest",
    "SignatureVetoed",
    "emit_audit_event",
    "get_plugin_manager",
    "hook_names",
    "hookimpl",
    "hookspec",
    "key_backend_factory",
    "load_plugins",
    "notify_certificate_alert",
    "policy_profiles",
    "policy_rules",
    "register",
    "registered",
    "render_report",
    "report_renderers",
    "reset_plugin_manager",
    "unregister",
    "use_plugin_manager",
]
