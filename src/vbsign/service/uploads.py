"""Reading a request into a :class:`~vbsign.service.jobs.Job`: ``multipart/form-data`` (a
``file`` part, an optional ``content`` part for a detached signature, options as fields) or
JSON (``document`` in base64, ``name``, ``content``, options as members).

The body is read with a cap (``Content-Length`` checked first, then the bytes counted as
they arrive) and parsed in memory: an uploaded document never touches the disk (Starlette's
own form parser spools parts over 1 MiB to temporary files, so it is not used). Options are
validated by the pydantic models below, which also document them in the OpenAPI schema.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vbsign._core.i18n import Msg
from vbsign.service.jobs import Job, JobKind, JobOptions

#: multipart headers and option fields on top of the document and its content
_FORM_OVERHEAD = 256 * 1024


class RequestError(Exception):
    """A request the service refuses, with an HTTP status and a bilingual message."""

    def __init__(self, status: int, code: str, msg: Msg, details: dict[str, Any] | None = None) -> None:
        super().__init__(msg.en)
        self.status, self.code, self.msg, self.details = status, code, msg, details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_vi": self.msg.vi, "message_en": self.msg.en, "details": self.details}


# ---- the options (OpenAPI documents them from these models) -------------------------------


class VerifyOptions(BaseModel):
    """Options of ``POST /api/v1/verify`` (as ``vbsign verify``)."""

    model_config = ConfigDict(extra="forbid")

    at: Literal["signing", "now"] = Field("signing", description="Hiệu lực chứng thư xét tại thời điểm ký hay hiện tại / validation time")
    allow_comments: bool = Field(False, description="Chấp nhận ghi chú thêm sau khi ký / accept comments added after signing")
    offline: bool = Field(False, description="Không truy cập mạng cho yêu cầu này / no network access for this request")
    max_seconds: float | None = Field(None, gt=0, description="Thời gian tối đa (giây), không vượt giới hạn của dịch vụ / time budget (s), capped by the service's")


class ValidateOptions(VerifyOptions):
    """Options of ``POST /api/v1/validate`` (as ``vbsign validate``)."""

    policy: str | None = Field(None, description="Hồ sơ chính sách (tt41, cdcv, public, auto) / policy profile")
    direction: Literal["outgoing", "incoming"] | None = None
    kind: Literal["main", "attachment", "copy"] | None = None
    document_kind: Literal["official", "other"] | None = None
    roles: str | None = Field(None, pattern=r"^[a-z]+(,[a-z]+)*$", description="person,agency…")
    now: str | None = Field(None, description="Thời điểm thẩm định, ISO 8601 / validation time, ISO 8601")


class JsonDocument(BaseModel):
    document: str = Field(description="Tệp văn bản, base64 / the document, base64")
    name: str = Field("document", description="Tên tệp (hiện trong báo cáo) / file name shown in the report")
    content: str | None = Field(None, description="Nội dung của chữ ký tách rời (.p7s), base64 / detached content, base64")
    content_name: str | None = None


class JsonVerifyRequest(JsonDocument, VerifyOptions):
    """``application/json`` body of ``/api/v1/verify`` (and ``/api/v1/report``)."""


class JsonValidateRequest(JsonDocument, ValidateOptions):
    """``application/json`` body of ``/api/v1/validate``."""


# ---- reading -------------------------------------------------------------------------------


def _too_large(limit: int) -> RequestError:
    return RequestError(
        413,
        "UPLOAD_TOO_LARGE",
        Msg("Tệp tải lên vượt giới hạn {n} byte.", "The upload exceeds the limit of {n} bytes.").format(n=limit),
        {"limit": limit},
    )


async def read_body(receive_stream: Any, content_length: str | None, cap: int, limit: int) -> bytes:
    """The request body, refused (413) as soon as it is known to exceed ``cap`` bytes."""
    if content_length is not None:
        try:
            if int(content_length) > cap:
                raise _too_large(limit)
        except ValueError:
            raise RequestError(400, "BAD_REQUEST", Msg("Content-Length không hợp lệ.", "Invalid Content-Length.")) from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in receive_stream:
        size += len(chunk)
        if size > cap:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def safe_name(name: str | None, default: str = "document") -> str:
    """The last component of an uploaded file name (no directories, no control characters)."""
    if not name:
        return default
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:255] or default


def parse_multipart(body: bytes, content_type: str, limit: int) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Fields and files of a ``multipart/form-data`` body, in memory."""
    from python_multipart import FormParser
    from python_multipart.multipart import parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise RequestError(400, "BAD_REQUEST", Msg("Thiếu boundary của multipart.", "The multipart boundary is missing."))
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}

    def on_field(f: Any) -> None:
        fields[f.field_name.decode("utf-8", "replace")] = (f.value or b"").decode("utf-8", "replace")

    def on_file(f: Any) -> None:
        obj = f.file_object
        obj.seek(0)
        name = (f.file_name or b"").decode("utf-8", "replace")
        files[f.field_name.decode("utf-8", "replace")] = (name, obj.read())

    # parts stay in memory: the whole body is already capped
    config = {"MAX_MEMORY_FILE_SIZE": limit + _FORM_OVERHEAD + 1, "MAX_BODY_SIZE": float(limit + _FORM_OVERHEAD)}
    parser = FormParser("multipart/form-data", on_field, on_file, boundary=boundary, config=config)  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except Exception as e:
        raise RequestError(400, "BAD_MULTIPART", Msg("Dữ liệu multipart hỏng: {e}", "Malformed multipart data: {e}").format(e=e)) from None
    return fields, files


def _options(kind: JobKind, raw: dict[str, Any]) -> JobOptions:
    model = ValidateOptions if kind == "validate" else VerifyOptions
    try:
        opts = model.model_validate(raw)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
        raise RequestError(
            422, "BAD_OPTION", Msg("Tùy chọn không hợp lệ: {p}", "Invalid options: {p}").format(p=problems)
        ) from None
    return JobOptions(**opts.model_dump())


def _missing_file() -> RequestError:
    return RequestError(
        400, "NO_DOCUMENT", Msg("Thiếu tệp văn bản (trường 'file' hoặc 'document').", "No document ('file' part or 'document' member).")
    )


def job_from_multipart(kind: JobKind, body: bytes, content_type: str, limit: int) -> Job:
    fields, files = parse_multipart(body, content_type, limit)
    if "file" not in files:
        raise _missing_file()
    name, document = files.pop("file")
    content = files.pop("content", None)
    if files:
        raise RequestError(400, "BAD_REQUEST", Msg("Phần không dùng được: {p}", "Unexpected parts: {p}").format(p=", ".join(files)))
    for data in (document, content[1] if content else b""):
        if len(data) > limit:
            raise _too_large(limit)
    raw: dict[str, Any] = dict(fields)
    return Job(
        kind=kind,
        document=document,
        name=safe_name(name),
        options=_options(kind, raw),
        content=content[1] if content else None,
        content_name=safe_name(content[0], "content") if content else None,
    )


def _decode(text: str, what: str, limit: int) -> bytes:
    if len(text) > (limit * 4) // 3 + 8:
        raise _too_large(limit)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError(400, "BAD_BASE64", Msg("'{w}' không phải base64 hợp lệ.", "'{w}' is not valid base64.").format(w=what)) from None


def job_from_json(kind: JobKind, body: bytes, limit: int) -> Job:
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RequestError(400, "BAD_JSON", Msg("Nội dung JSON không hợp lệ.", "The JSON body is not valid.")) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("document"), str):
        raise _missing_file()
    document = _decode(raw.pop("document"), "document", limit)
    content_text = raw.pop("content", None)
    content = _decode(content_text, "content", limit) if isinstance(content_text, str) else None
    name, content_name = raw.pop("name", None), raw.pop("content_name", None)
    return Job(
        kind=kind,
        document=document,
        name=safe_name(name if isinstance(name, str) else None),
        options=_options(kind, raw),
        content=content,
        content_name=safe_name(content_name if isinstance(content_name, str) else None, "content") if content is not None else None,
    )


def body_cap(limit: int, content_type: str) -> int:
    """Bytes a body may have for documents of ``limit`` bytes (base64 in JSON is 4/3)."""
    if content_type.startswith("application/json"):
        return 2 * ((limit * 4) // 3) + _FORM_OVERHEAD  # the document and its content
    return 2 * limit + _FORM_OVERHEAD


__all__ = [
    "JsonValidateRequest",
    "JsonVerifyRequest",
    "RequestError",
    "ValidateOptions",
    "VerifyOptions",
    "body_cap",
    "job_from_json",
    "job_from_multipart",
    "read_body",
    "safe_name",
]
