"""Sphinx extension: the tables of the guides that must come from the code, regenerated at each build.

Written into ``docs/_generated/`` (ignored by git) when the builder starts:

* ``error-codes.inc`` — every :class:`vbsign.errors.VbsignError` subclass in the package (its
  ``code``, exit code, ``cause`` and ``remedy``), then the HTTP error codes of the REST service
  (every ``RequestError(status, "CODE", Msg(...))`` in :mod:`vbsign.service`, read from the source);
* ``finding-codes.inc`` — every report finding code the verifiers write with a literal code,
  severity and bilingual message (read from the source: ``x.add("CODE", Severity.X, Msg(...))``);
* ``rest-api.inc`` — the REST API's routes, parameters and schemas from the service's OpenAPI
  document (``vbsign.service.create_app().openapi()``);
* ``hooks.inc`` — every hook of the specs in :mod:`vbsign.plugins.hookspecs`;
* the pictures of the guides (``scripts/make_screenshots.py``) when they are missing.

It also resolves the cross-references of the nitpicky build (:func:`resolve_by_name`).

Nothing is hand-edited: a code added to the product appears in the guides at the next build, and
``tests/docs/test_generated_tables.py`` checks that none is missing.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[2] / "src" / "vbsign"
OUT = Path(__file__).resolve().parents[1] / "_generated"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]], widths: str) -> str:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {_cell(row[0])}")
        lines.extend(f"     - {_cell(c)}" for c in row[1:])
    return "\n".join(lines) + "\n"


# ---- error classes ---------------------------------------------------------------------------


def error_classes() -> list[type[Any]]:
    """Every VbsignError subclass defined in the package (all modules imported), by code."""
    import vbsign
    from vbsign.errors import VbsignError

    for info in pkgutil.walk_packages(vbsign.__path__, "vbsign."):
        if ".migrations" in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra not installed: its errors are not listed
            continue

    def walk(cls: type[Any]) -> Iterator[type[Any]]:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("vbsign."):
                yield sub
                yield from walk(sub)

    found = {c.code: c for c in [VbsignError, *walk(VbsignError)]}
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class HttpError:
    status: int
    code: str
    vi: str
    en: str


def _literal_msg(node: ast.AST) -> tuple[str, str] | None:
    """``Msg("vi", "en")`` (maybe ``.format(...)``-ed) as its two strings."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        node = node.func.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Msg"
        and len(node.args) == 2
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
    ):
        return node.args[0].value, node.args[1].value  # type: ignore[attr-defined]
    return None


def http_errors() -> list[HttpError]:
    """``RequestError(status, "CODE", Msg(...))`` calls in the service's source."""
    out: dict[str, HttpError] = {}
    for path in sorted((SRC / "service").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RequestError"):
                continue
            args = node.args
            if len(args) >= 3 and isinstance(args[0], ast.Constant) and isinstance(args[1], ast.Constant):
                msg = _literal_msg(args[2])
                if msg is not None and isinstance(args[1].value, str):
                    out.setdefault(args[1].value, HttpError(int(args[0].value), args[1].value, *msg))
    return [out[k] for k in sorted(out)]


def render_errors() -> str:
    rows = [
        [f"``{c.code}``", str(c.exit_code), c.cause.vi, c.remedy.vi, f"{c.__module__}.{c.__qualname__}"]
        for c in error_classes()
    ]
    text = _table(["Mã / code", "Mã thoát", "Nguyên nhân", "Cách xử lý", "Lớp / class"], rows, "18 6 30 34 12")
    http = [[f"``{e.code}``", str(e.status), e.vi, e.en] for e in http_errors()]
    text += "\n**Dịch vụ REST / REST service** (HTTP; ngoài ra mọi mã ở bảng trên trả về 422 kèm ``code``):\n\n"
    text += _table(["Mã / code", "HTTP", "Thông báo", "Message"], http, "22 8 35 35")
    return text


# ---- findings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingCode:
    code: str
    severity: str
    vi: str
    en: str
    module: str


def finding_codes() -> list[FindingCode]:
    """Report findings written with a literal code and ``Severity.X`` (message when literal)."""
    out: dict[str, FindingCode] = {}
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 3:
                continue
            code, sev, msg = node.args[0], node.args[1], _literal_msg(node.args[2])
            if (
                isinstance(code, ast.Constant)
                and isinstance(code.value, str)
                and isinstance(sev, ast.Attribute)
                and getattr(sev.value, "id", None) == "Severity"
            ):
                vi, en = msg or ("(thông báo do mã nguồn ghép, xem báo cáo)", "(message composed at run time)")
                found = FindingCode(code.value, sev.attr, vi, en, module)
                if code.value not in out or (msg is not None and out[code.value].vi.startswith("(")):
                    out[code.value] = found
    from vbsign.formats.pades.findings import CATALOGUE  # the PDF structure/modification catalogue

    for code, kind in CATALOGUE.items():
        out.setdefault(code, FindingCode(code, kind.severity.name, kind.title.vi, kind.title.en, "vbsign.formats.pades.findings"))
    return [out[k] for k in sorted(out)]


_SEVERITY_VI = {"ERROR": "lỗi", "WARNING": "cảnh báo", "INFO": "thông tin"}


def render_findings() -> str:
    rows = [[f"``{f.code}``", _SEVERITY_VI.get(f.severity, f.severity), f.vi, f.module] for f in finding_codes()]
    return _table(["Mã / code", "Mức", "Nội dung (tiếng Việt; {…}: chi tiết điền vào)", "Nơi ghi"], rows, "22 8 52 18")


# ---- REST API --------------------------------------------------------------------------------


def openapi() -> dict[str, Any]:
    from vbsign.service import create_app

    schema: dict[str, Any] = create_app().openapi()
    return schema


def _schema_name(ref: dict[str, Any]) -> str:
    return str(ref.get("$ref", "")).rsplit("/", 1)[-1] or str(ref.get("type", ""))


def _properties(schema: dict[str, Any]) -> list[list[str]]:
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        kinds = [p.get("type") or _schema_name(p) for p in prop.get("anyOf", [prop])]
        enum = prop.get("enum")
        kind = " | ".join(k for k in kinds if k) + (f" ({', '.join(map(str, enum))})" if enum else "")
        default = "" if "default" not in prop else f"``{prop['default']!r}``"
        rows.append([f"``{name}``" + (" *" if name in required else ""), kind, default, prop.get("description", "")])
    return rows


def render_rest() -> str:
    doc = openapi()
    parts = [f"OpenAPI {doc.get('openapi', '')}, ``{doc['info']['title']}`` {doc['info']['version']}.\n"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            parts.append(f"\n``{method.upper()} {path}``\n    {_cell(op.get('summary', ''))}\n")
            body = op.get("requestBody", {}).get("content", {})
            if body:
                kinds = ", ".join(f"``{k}`` ({_schema_name(v['schema'])})" for k, v in body.items())
                parts.append(f"\n    Thân yêu cầu / body: {kinds}.\n")
            params = [f"``{p['name']}`` ({p['in']})" for p in op.get("parameters", [])]
            if params:
                parts.append(f"\n    Tham số / parameters: {', '.join(params)}.\n")
            codes = ", ".join(str(c) for c in op.get("responses", {}))
            parts.append(f"\n    Trả lời / responses: {codes}.\n")
    schemas = doc["components"]["schemas"]
    for name in ("VerifyForm", "ValidateForm", "JsonVerifyRequest", "JsonValidateRequest", "ErrorResponse"):
        if name in schemas:
            parts.append(f"\n``{name}``\n\n")
            parts.append(_table(["Trường / field", "Kiểu / type", "Mặc định", "Mô tả"], _properties(schemas[name]), "18 22 12 48"))
    return "".join(parts)


# ---- plugin hooks ----------------------------------------------------------------------------


def render_hooks() -> str:
    from vbsign.plugins import hookspecs

    rows = []
    for cls_name, cls in inspect.getmembers(hookspecs, inspect.isclass):
        if cls.__module__ != hookspecs.__name__ or not cls_name.endswith("Spec"):
            continue
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("vbsign_"):
                params = ", ".join(p for p in inspect.signature(fn).parameters if p != "self")
                summary = (inspect.getdoc(fn) or "").split("\n\n", 1)[0]
                rows.append([f"``{name}``", cls_name, params, summary])
    rows.sort()
    return _table(["Hook", "Nhóm / spec", "Tham số / arguments", "Việc / what"], rows, "26 14 18 42")


GENERATORS = {
    "error-codes.inc": render_errors,
    "finding-codes.inc": render_findings,
    "rest-api.inc": render_rest,
    "hooks.inc": render_hooks,
}


PICTURES = ("page-signed.png", "portal-result.png")


def pictures(out: Path = OUT) -> None:
    """The guides' pictures, made by ``scripts/make_screenshots.py`` when missing (``scripts/lint.sh``
    always remakes them; a plain ``sphinx-build`` makes them once)."""
    if all((out / name).exists() for name in PICTURES):
        return
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "make_screenshots.py"
    subprocess.run([sys.executable, str(script), "--out-dir", str(out)], check=True, timeout=300, stdout=subprocess.DEVNULL)


def generate(out: Path = OUT) -> list[Path]:
    """Write every generated include file (only when its text changed: keeps rebuilds quick)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in GENERATORS.items():
        target = out / name
        text = f".. Tạo tự động bởi docs/_ext/vbsign_docgen.py — đừng sửa tay / generated, do not edit.\n\n{render()}"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def keep_attribute_colons(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Napoleon reads ``#: text before: text after`` on an attribute as ``type: description``
    and moves "text before" into a ``:type:`` field. vbsign's attributes are typed by their
    annotations (autodoc shows those), so that text is prose: put it back where it was
    (runs after Napoleon, priority 600)."""
    if what not in ("attribute", "property", "data"):
        return
    moved = [i for i, line in enumerate(lines) if line.startswith(":type: ")]
    for i in reversed(moved):
        prose = lines.pop(i)[len(":type: "):]
        if i > 0 and not lines[i - 1].strip():
            lines.pop(i - 1)
        first = next((k for k, line in enumerate(lines) if line.strip()), None)
        if first is None:
            lines.append(prose)
        else:
            lines[first] = f"{prose}: {lines[first]}"


_BINDINGS: dict[str, set[str]] = {}


def _bindings(name: str) -> set[str]:
    """Every full path vbsign's modules bind ``name`` to (imports, also under TYPE_CHECKING)."""
    if not _BINDINGS:
        for path in SRC.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    for alias in node.names:
                        _BINDINGS.setdefault(alias.asname or alias.name, set()).add(f"{node.module}.{alias.name}")
    return _BINDINGS.get(name, set())


def setup(app: Any) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", keep_attribute_colons, priority=600)
    app.connect("builder-inited", lambda _app: (generate(), pictures()))
    app.connect("missing-reference", resolve_by_name)
    return {"parallel_read_safe": True, "version": "1"}


# ---- cross-references ------------------------------------------------------------------------

#: libraries whose documentation has no inventory available offline (no network at build time):
#: references to their types in vbsign's annotations are not links, and not errors either.
#: The standard library *is* linked (python3-doc's inventory, conf.py).
EXTERNAL = (
    "asn1crypto", "lxml", "pyhanko", "pyhanko_certvalidator", "cryptography", "x509", "PIL", "Image",
    "pluggy", "sqlalchemy", "certomancer", "fastapi", "starlette", "celery", "click", "aiohttp",
    "jinja2", "pypdfium2", "weasyprint", "matplotlib", "reportlab", "pkcs11", "signxml", "defusedxml",
)


def _is_external(target: str) -> bool:
    return target.split(".", 1)[0] in EXTERNAL


#: bare names in string annotations (``from datetime import datetime``) and their modules
STDLIB_BARE = {
    "datetime": "datetime.datetime", "date": "datetime.date", "timedelta": "datetime.timedelta",
    "Path": "pathlib.Path", "EmailMessage": "email.message.EmailMessage", "MIMEPart": "email.message.MIMEPart",
    "Message": "email.message.Message",
}


STDLIB_MODULES = {"_thread", "typing", "collections", "os", "pathlib", "datetime", "email", "enum", "io", "asyncio", "concurrent", "socket", "threading", "types", "logging", "subprocess"}


def _vbsign_match(domain: Any, target: str) -> str | None:
    """The one documented (not aliased) vbsign object ``target`` names by its last components."""
    objects = {full for full, entry in domain.objects.items() if full.startswith("vbsign.") and not getattr(entry, "aliased", False)}
    parts = [p for p in target.split(".") if p != "vbsign"]
    for k in range(len(parts), 0, -1):
        suffix = "." + ".".join(parts[-k:])
        matches = sorted(full for full in objects if full.endswith(suffix))
        public = [m for m in matches if "._" not in m]
        for group in (public, [m for m in public if m.startswith(("vbsign.api.", "vbsign.host."))], matches):
            if len(group) == 1:
                return group[0]
        if matches:
            return None
    return None


def _import_binding(module: str, name: str) -> str | None:
    """Where ``module`` imports ``name`` from (also under ``TYPE_CHECKING``), read from its source."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"{node.module}.{alias.name}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname == name:
                    return alias.name
    return None


def _exists(target: str) -> bool:
    """Whether ``target`` (dotted) names a real module or object of vbsign."""
    parts = target.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


#: names that third-party signatures shown by autodoc use (pluggy's TypeVar, its marker class)
EXTERNAL_BARE = {"_F": "pluggy._hooks._F", "HookimplMarker": "pluggy.HookimplMarker"}


def _real_target(target: str, module: str | None, cls: str | None) -> str | None:
    """The full dotted path of ``target`` as written in ``module`` (and class ``cls``)."""
    if target in EXTERNAL_BARE:
        return EXTERNAL_BARE[target]
    if target.startswith(".") and module:  # relative to the module or its package
        for base in (module, module.rsplit(".", 1)[0]):
            if _exists(base + target):
                return base + target
        return None
    if target.split(".", 1)[0] in STDLIB_MODULES:
        return target
    if target.startswith("vbsign."):
        return target if _exists(target) else None
    if module and module.startswith("vbsign"):
        package = module.rsplit(".", 1)[0]
        if _exists(f"{package}.{target}"):  # ``:mod:`.sibling```
            return f"{package}.{target}"
        head = target.split(".", 1)[0]
        for scope in ([f"{module}.{cls}"] if cls else []) + [module]:
            if _exists(f"{scope}.{target}"):
                return f"{scope}.{target}"
        bound = _import_binding(module, head)
        if bound is not None:
            return bound + target[len(head):]
    if "." not in target:  # a bare name from a string annotation: one meaning across vbsign
        bound_everywhere = _bindings(target)
        if len(bound_everywhere) == 1:
            return next(iter(bound_everywhere))
    return None


def resolve_by_name(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a Python reference that names a documented object by a path Sphinx does not
    know: a private defining module (``vbsign._core.i18n.Msg`` for the public
    ``vbsign.i18n.Msg``), a top-level re-export (``vbsign.Signer``), or a bare name from a
    string annotation (``Msg``, ``datetime``) — only when exactly one documented object fits.
    Types of libraries without an inventory (:data:`EXTERNAL`) are shown as plain text."""
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", "")).lstrip("~")
    if target.startswith(("\"Literal[", "'Literal[")):  # a quoted Literal Sphinx splits at its commas
        return contnode
    if _is_external(target):
        return contnode
    if target in STDLIB_BARE:
        from sphinx.ext import intersphinx

        node["reftarget"] = STDLIB_BARE[target]
        return intersphinx.missing_reference(app, env, node, contnode)
    domain = env.get_domain("py")
    if "." not in target or target.startswith("vbsign."):
        chosen = _vbsign_match(domain, target)
        if chosen is not None:
            found = domain.resolve_any_xref(env, node.get("refdoc", ""), app.builder, chosen, node, contnode)
            if found:
                return found[0][1]
    # a real object of vbsign (or of a library) the documentation does not describe: shown as
    # code, not a link; a name that exists nowhere (renamed, removed, mistyped) stays an error
    real = _real_target(target, node.get("py:module"), node.get("py:class"))
    if real is not None and (_is_external(real) or real.split(".", 1)[0] in STDLIB_MODULES or _exists(real)):
        return contnode
    return None
