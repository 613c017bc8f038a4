"""The REST API, version 1 (``/api/v1``): verify, validate, the human report, health.

Every route reads the request into a :class:`~vbsign.service.jobs.Job`
(:mod:`vbsign.service.uploads`), hands it to the executor (in-process or Celery) and
answers the JSON report of ``vbsign verify --json`` / ``vbsign validate --json`` — one
object, the same verdict. The answer's status is 200 for every verdict (the verdict is in
the body and in ``X-Vbsign-Indication``); 422 when the document cannot be processed (the
CLI's exit 3), 413/415/400 for a bad upload, 401/403 for a missing key, 503 when the
service is full, 504 when a request runs out of time.

Two-step signing (issue 15) adds its own router (``/api/v1/sign/prepare``, ``/complete``)
next to :data:`router`, guarded by ``Depends(require_api_key("sign"))``.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from vbsign._core.files import atomic_write
from vbsign._core.i18n import Msg
from vbsign._version import __version__
from vbsign.service.jobs import Job, JobKind
from vbsign.service.security import require_api_key
from vbsign.service.uploads import (
    RequestError,
    body_cap,
    job_from_json,
    job_from_multipart,
    read_body,
)

router = APIRouter(prefix="/api/v1")

_REPORT_SCHEMA = {"Report": "#/components/schemas/Report", "ComplianceReport": "#/components/schemas/ComplianceReport"}
_ERROR = {"description": "Lỗi / error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _ERROR, 401: _ERROR, 403: _ERROR, 413: _ERROR, 415: _ERROR, 422: _ERROR, 503: _ERROR, 504: _ERROR,
}


def _body(kind: JobKind) -> dict[str, Any]:
    """The request body of a job route, for the OpenAPI schema (both media types)."""
    form = "ValidateForm" if kind == "validate" else "VerifyForm"
    json_model = "JsonValidateRequest" if kind == "validate" else "JsonVerifyRequest"
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"$ref": f"#/components/schemas/{form}"}},
                "application/json": {"schema": {"$ref": f"#/components/schemas/{json_model}"}},
            },
        }
    }


def _ok(schema: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "Báo cáo / report", "content": {"application/json": {"schema": {"$ref": _REPORT_SCHEMA[schema]}}}}, **_ERRORS}


async def _read_job(request: Request, kind: JobKind) -> Job:
    service = request.app.state.service
    limit = service.config.limits.max_upload_bytes
    ctype = request.headers.get("content-type", "")
    if not (ctype.startswith("multipart/form-data") or ctype.startswith("application/json")):
        raise RequestError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            Msg("Gửi multipart/form-data (trường 'file') hoặc JSON (base64).", "Send multipart/form-data ('file' part) or JSON (base64)."),
        )
    body = await read_body(request.stream(), request.headers.get("content-length"), body_cap(limit, ctype), limit)
    if ctype.startswith("application/json"):
        job = job_from_json(kind, body, limit)
    else:
        job = job_from_multipart(kind, body, ctype, limit)
    policy = job.options.policy
    if policy is not None and policy not in service.allowed_policies:
        raise RequestError(
            422,
            "POLICY_NOT_ALLOWED",
            Msg("Chính sách không được phép: {p} (được phép: {a}).", "Policy not allowed: {p} (allowed: {a}).").format(
                p=policy, a=", ".join(sorted(service.allowed_policies))
            ),
        )
    request.state.log.update(document_sha256=job.sha256, size=len(job.document), job=kind)
    if service.config.keep_uploads:
        await asyncio.to_thread(_keep, Path(service.config.keep_uploads), job)
    return job


def _keep(directory: Path, job: Job) -> None:
    """Keep the upload (configured only): ``<sha256><suffix>``, written atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(job.name).suffix.lower()[:10]
    atomic_write(directory / f"{job.sha256}{suffix if suffix.isascii() else ''}", job.document)
    if job.content is not None:
        atomic_write(directory / f"{job.sha256}.content", job.content)


async def _run(request: Request, kind: JobKind) -> tuple[Job, dict[str, Any]]:
    job = await _read_job(request, kind)
    result: dict[str, Any] = await request.app.state.service.executor.submit(job)
    if not result.get("ok"):
        request.state.log["error"] = result["error"]["code"]
        raise RequestError(422, result["error"]["code"], Msg(result["error"]["message_vi"], result["error"]["message_en"]), result["error"].get("details"))
    indication = result["report"]["indication"]
    request.state.log["verdict"] = indication
    return job, result


def _json(result: dict[str, Any]) -> JSONResponse:
    return JSONResponse(result["report"], headers={"X-Vbsign-Indication": result["report"]["indication"]})


@router.post(
    "/verify",
    summary="Kiểm tra chữ ký số / verify signatures",
    description="Như `vbsign verify --json`: PDF (PAdES), XML (XAdES, edXML), CMS (CAdES .p7s/.p7m) / as `vbsign verify --json`.",
    openapi_extra=_body("verify"),
    responses=_ok("Report"),
    dependencies=[Depends(require_api_key("verify"))],
)
async def verify(request: Request) -> Response:
    _, result = await _run(request, "verify")
    return _json(result)


@router.post(
    "/validate",
    summary="Thẩm định theo chính sách / validate against a policy",
    description="Như `vbsign validate --json` / as `vbsign validate --json`.",
    openapi_extra=_body("validate"),
    responses=_ok("ComplianceReport"),
    dependencies=[Depends(require_api_key("verify"))],
)
async def validate(request: Request) -> Response:
    _, result = await _run(request, "validate")
    return _json(result)


def _disposition(name: str, fmt: str) -> str:
    filename = f"{name}.report.{fmt}"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(filename)}"


@router.post(
    "/report",
    summary="Báo cáo cho người đọc (HTML, PDF) / human report",
    description="Báo cáo kiểm tra (kind=verify) hoặc thẩm định (kind=validate) dạng HTML hoặc PDF, kèm ảnh các trang đã ký "
    "/ the verification or validation report as HTML or PDF, with pictures of the signed pages.",
    openapi_extra=_body("validate"),
    responses={
        200: {"description": "HTML / PDF", "content": {"text/html": {"schema": {"type": "string"}}, "application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}}},
        **_ERRORS,
    },
    dependencies=[Depends(require_api_key("verify"))],
)
async def report(
    request: Request,
    format: Literal["html", "pdf"] = "html",
    kind: Literal["verify", "validate"] = "verify",
    lang: Literal["vi", "en"] | None = None,
) -> Response:
    job, result = await _run(request, kind)
    service = request.app.state.service
    request.state.log["job"] = f"report-{kind}-{format}"
    async with service.executor.slots.hold():
        rendered = await asyncio.to_thread(service.render, result["report"], kind, format, job.document, lang or service.config.lang)
    headers = {"X-Vbsign-Indication": result["report"]["indication"]}
    if format == "pdf":
        headers["Content-Disposition"] = _disposition(job.name, "pdf")
        return Response(rendered, media_type="application/pdf", headers=headers)
    return Response(rendered, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/health", summary="Tình trạng dịch vụ / service health")
async def health(request: Request) -> JSONResponse:
    state = await request.app.state.service.executor.health()
    ok = state.get("broker", "reachable") == "reachable"
    return JSONResponse({"status": "ok" if ok else "degraded", "version": __version__, **state}, status_code=200 if ok else 503)


__all__ = ["router"]
