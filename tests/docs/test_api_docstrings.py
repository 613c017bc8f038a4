"""Every parameter of vbsign.api's public functions, classes and methods is documented.

"Documented" means an entry in the docstring's ``Args:`` section (or ``Attributes:`` for a
dataclass), or a ``:param name:`` field (what :func:`vbsign.api.params.documented` appends from
the one table of option descriptions), whose description is not empty; ``**kwargs`` entries say
where the options go.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import vbsign.api as api


def _public_callables() -> Iterator[tuple[str, Callable[..., Any], str]]:
    """(name, callable whose signature counts, docstring that must document it)."""
    for name in api.__all__:
        obj = getattr(api, name)
        if inspect.isclass(obj):
            if dataclasses.is_dataclass(obj):
                yield name, obj, inspect.getdoc(obj) or ""
                continue
            yield name, obj.__init__, inspect.getdoc(obj) or ""
            for meth_name, meth in vars(obj).items():
                if not meth_name.startswith("_") and inspect.isfunction(meth):
                    yield f"{name}.{meth_name}", meth, inspect.getdoc(meth) or ""
        elif inspect.isfunction(obj):
            yield name, obj, inspect.getdoc(obj) or ""


def _documented(doc: str) -> dict[str, str]:
    """Entries of the Args / Attributes sections: name -> description."""
    out: dict[str, str] = {}
    for section in re.finditer(r"^(Args|Attributes|Keyword Args):\n((?:[ \t]+.*\n?|\n)+)", doc, re.M):
        for entry in re.finditer(r"^    (\*{0,2}\w+)(?: \([^)]*\))?:(.*(?:\n {8}.*)*)", section.group(2), re.M):
            out[entry.group(1)] = " ".join(entry.group(2).split())
    for field in re.finditer(r"^:param (\*{0,2}\w+):(.*(?:\n[ \t]+.*)*)", doc, re.M):
        out.setdefault(field.group(1), " ".join(field.group(2).split()))
    return out


def test_public_api_is_found() -> None:
    names = {n for n, _, _ in _public_callables()}
    assert {"verify", "validate", "sign", "sign_many", "Signer", "Signer.sign", "verify_xml", "human_report"} <= names


def test_every_parameter_of_the_public_api_has_a_description() -> None:
    missing = []
    for name, fn, doc in _public_callables():
        documented = _documented(doc)
        if dataclasses.is_dataclass(fn):
            params = [f.name for f in dataclasses.fields(fn)]
        else:
            sig = inspect.signature(fn)
            params = [
                ("**" if p.kind is p.VAR_KEYWORD else "*" if p.kind is p.VAR_POSITIONAL else "") + p.name
                for p in sig.parameters.values()
                if p.name not in ("self", "cls")
            ]
        for p in params:
            if not documented.get(p):
                missing.append(f"{name}({p})")
    assert not missing, "undocumented parameters: " + ", ".join(missing)
