"""The documentation of the public API's keyword options, written once.

:func:`documented` appends a ``:param:`` line for every parameter of a public function
that its docstring does not describe itself, so ``help(vbsign.sign)`` and the Sphinx pages
list every option; a parameter missing from :data:`PARAMS` fails at import (and in the
test that checks the public signatures).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

#: one line per option, shared by sign/verify/validate, the Signer and the async twins
PARAMS: dict[str, str] = {
    # the document
    "source": "the document: a path, ``bytes`` or a binary stream",
    "output": "where to write the signed document (atomically; never over the input); "
    "``None``: only returned in the result",
    # the key
    "key": "the signing key: a PKCS#12/PEM file, a ``pkcs11:`` URI, a plugin scheme, or an open "
    ":class:`~vbsign.backends.SigningKey`",
    "passphrase": "the key file's passphrase (``str``/``bytes``/:class:`~vbsign.backends.Secret`; never logged)",
    "pin": "the token PIN of a ``pkcs11:`` key (never logged)",
    "key_options": "more options for the key backend, e.g. ``{'pin_callback': …, 'chain': [...]}``",
    "trust": "trust anchors: a :class:`~vbsign.TrustStore`, PEM/DER files or certificates; "
    "``None``: the configured store and plugins' anchors",
    "tsa": "the timestamp server URL or a pyHanko ``TimeStamper`` (needed from level B-T)",
    "level": "the signature level: :class:`~vbsign.Level` or its string (``'B-LT'``, ``'lt'`` …)",
    "services": "revocation and network settings (:class:`~vbsign.Services`: online, timeout, sources)",
    "check_revocation": "check the signer's certificate revocation before signing (default: yes)",
    "md_algorithm": "the digest algorithm (SHA-2 family; SHA-1/MD5 are refused, TT 15/2025)",
    "prefer_pss": "sign with RSASSA-PSS when the key is RSA",
    "clock": "a clock for signing and validation times (tests, reproducible signatures)",
    # one document
    "field": "the PDF signature field to fill or create",
    "page": "the PDF page (0-based) of a new visible signature",
    "box": "the rectangle (x1, y1, x2, y2, in points) of a new visible signature",
    "appearance": "the visible signature (:class:`~vbsign.Appearance`: person, agency, attachment, copy)",
    "reason": "the signing reason (PDF ``/Reason``; XAdES commitment)",
    "location": "the signing place",
    "contact_info": "the signer's contact (PDF ``/ContactInfo``)",
    "certify": "certify the PDF with this DocMDP permission (1 no changes, 2 forms, 3 forms and comments)",
    "format": "the signature format (:class:`~vbsign.SignatureFormat` or its string); ``None``: from the content",
    "packaging": "XAdES packaging (:class:`~vbsign.Packaging`: enveloped, enveloping, detached)",
    "signer_role": "the role the signer claims in a XAdES signature (free text, e.g. 'Giám đốc')",
    "xades_transform": "how an enveloped XAdES signature excludes itself (:class:`~vbsign.XadesTransform`)",
    "metadata": "labels for plugins and audit sinks (``document_id``, ``unit``, ``role`` …)",
    # batches
    "sources": "a directory (its ``*.pdf``), a list of files or ``(input, output)`` pairs",
    "output_dir": "where the signed files go (under their own names)",
    "on_result": "called once per file, as soon as its outcome is known",
    "stop_on_error": "stop at the first failure of any kind",
    "overwrite": "replace existing outputs (atomically) instead of skipping them",
    "concurrency": "documents prepared in parallel (the token still signs one at a time)",
    "processes": "worker processes signing in parallel for a software key (``os.cpu_count()``: every core); a token key signs in one process",
    "follow_links": "follow symbolic links leading out of a source directory",
    # verification
    "at": "the validation time: :class:`~vbsign.ValidationTime` (``SIGNING``, the default, or ``NOW``), "
    "its string, or a :class:`~datetime.datetime` (validate now as of that moment)",
    "now": "the current time (tests and simulated later validation); default: the clock",
    "allow_comments": "accept comments added to a PDF after signing when they cover no signed content",
    "content": "the signed file of a detached signature (CAdES ``.p7s``, detached XAdES); "
    "a mapping name → bytes for several",
    "limits": "time and memory bounds for PDFs (:class:`~vbsign.formats.pades.limits.Limits`)",
    "visual": "the optional poppler comparison of PDF revisions (:class:`~vbsign.formats.pades.visual.VisualOptions`)",
    "password": "the user password of an encrypted PDF (never logged)",
    # validation
    "policy": "the validation policy: a profile name (``tt41``, ``cdcv``, ``public``, ``auto``), a ``*.toml`` file "
    "or a :class:`~vbsign.policy.Policy`",
    "facts": "what the host knows and the file cannot (:class:`~vbsign.DocumentFacts`)",
}


def documented(fn: F) -> F:
    """Append the documentation of every parameter ``fn``'s docstring leaves out."""
    doc = inspect.cleandoc(fn.__doc__ or "")
    lines = []
    for name in inspect.signature(fn).parameters:
        if name == "self" or f":param {name}:" in doc:
            continue
        lines.append(f":param {name}: {PARAMS[name]}")
    if lines:
        fn.__doc__ = doc + "\n\n" + "\n".join(lines) + "\n"
    return fn


__all__ = ["PARAMS", "documented"]
