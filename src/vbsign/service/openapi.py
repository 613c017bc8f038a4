"""The OpenAPI 3.1 document at ``/openapi.json``: FastAPI's, plus the schemas it cannot see.

The job routes read their bodies themselves (to keep uploads in memory and capped), so the
request bodies are described here from the pydantic option models, and the answers by the
report schemas vbsign derives from its own dataclasses (:func:`vbsign.report.json_schema`,
:func:`vbsign.policy.result.json_schema`): ``#/$defs/X`` references become
``#/components/schemas/X``. The document is validated in the tests
(openapi-spec-validator).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from vbsign.service.uploads import (
    JsonValidateRequest,
    JsonVerifyRequest,
    ValidateOptions,
    VerifyOptions,
)

DESCRIPTION = """\
Dịch vụ kiểm tra và thẩm định chữ ký số văn bản điện tử (PAdES, XAdES/edXML, CAdES) cho mọi hệ thống
quản lý văn bản (Java, .NET, PHP…): gửi tệp (multipart `file`, hoặc JSON với base64), nhận báo cáo JSON
như `vbsign verify --json`, hoặc báo cáo HTML/PDF cho người đọc.

Verification and validation of signed electronic documents for any document system: send the file
(multipart `file`, or JSON with base64), get the JSON report of `vbsign verify --json`, or a human
HTML/PDF report.
"""

_REF = "#/components/schemas/"


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = _REF + value.removeprefix("#/$defs/")
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def report_components() -> dict[str, Any]:
    """The verification and compliance report schemas as OpenAPI components."""
    from vbsign.model.report import json_schema as report_schema
    from vbsign.policy.result import json_schema as compliance_schema

    components: dict[str, Any] = {}
    for schema in (report_schema(), compliance_schema()):
        for name, definition in schema["$defs"].items():
            components[name] = _rewrite_refs(definition)
    return components


def _model(model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF + "{model}")
    defs = schema.pop("$defs", {})
    return schema, defs


def _form(options: Any, title: str) -> dict[str, Any]:
    schema, _ = _model(options)
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    return {
        "title": title,
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {**binary, "description": "Tệp văn bản đã ký / the signed document"},
            "content": {**binary, "description": "Nội dung của chữ ký tách rời (.p7s) / detached content"},
            **schema["properties"],
        },
    }


def _error_schema() -> dict[str, Any]:
    return {
        "title": "ErrorResponse",
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message_vi", "message_en"],
                "properties": {
                    "code": {"type": "string"},
                    "message_vi": {"type": "string"},
                    "message_en": {"type": "string"},
                    "details": {"type": "object"},
                },
            }
        },
    }


def build(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(report_components())
    for model in (JsonVerifyRequest, JsonValidateRequest):
        schema, defs = _model(model)
        schemas[model.__name__] = schema
        schemas.update(defs)
    schemas["VerifyForm"] = _form(VerifyOptions, "VerifyForm")
    schemas["ValidateForm"] = _form(ValidateOptions, "ValidateForm")
    schemas["ErrorResponse"] = _error_schema()
    spec["info"]["license"] = {"name": "Apache-2.0", "identifier": "Apache-2.0"}
    plain: dict[str, Any] = json.loads(json.dumps(spec))  # plain JSON types only
    return plain


def install(app: FastAPI) -> None:
    cache: dict[str, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        if "spec" not in cache:
            cache["spec"] = build(app)
        return cache["spec"]

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["DESCRIPTION", "build", "install", "report_components"]
