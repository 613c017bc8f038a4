"""The REST API on its ASGI interface: the same verdict as the library, both request forms,
the human report, health, a valid OpenAPI description whose schemas the answers meet, and
every refusal with its status and a Vietnamese and English message."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import vbsign
from tests.service.conftest import Client
from vbsign.pki.validation import Services
from vbsign.service.security import digest


def upload(data: bytes, name: str = "signed.pdf", **fields: str) -> dict[str, Any]:
    return {"files": {"file": (name, data, "application/pdf")}, "data": fields}


def assert_bilingual(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message_vi"] and error["message_en"] and error["message_vi"] != error["message_en"]
    assert "Traceback" not in response.text
    return error


def test_verify_multipart_same_verdict_as_the_library(client: Client, demo: Path, signed: bytes) -> None:
    response = client.post("/api/v1/verify", **upload(signed))
    assert response.status_code == 200, response.text
    answer = response.json()
    direct = vbsign.verify(demo / "signed.pdf", trust=[demo / "pki" / "roots.pem"], services=Services(online=False)).to_dict()
    assert answer["indication"] == direct["indication"] == "TOTAL-PASSED"
    assert response.headers["X-Vbsign-Indication"] == "TOTAL-PASSED"
    assert [s["signer"]["subject_fields"]["common_name"] for s in answer["signatures"]] == [
        s["signer"]["subject_fields"]["common_name"] for s in direct["signatures"]
    ]
    assert [s["indication"] for s in answer["signatures"]] == [s["indication"] for s in direct["signatures"]]
    assert answer["document"]["name"] == "signed.pdf" and answer["document"]["sha256"] == direct["document"]["sha256"]
    assert response.headers["x-request-id"]


def test_verify_json_base64_and_tampered(client: Client, signed: bytes, tampered: Path) -> None:
    body = {"document": base64.b64encode(tampered.read_bytes()).decode(), "name": "công-văn.pdf"}
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["indication"], answer["sub_indication"]) == ("TOTAL-FAILED", "HASH_FAILURE")
    assert answer["document"]["name"] == "công-văn.pdf"
    good = client.post("/api/v1/verify", json={"document": base64.b64encode(signed).decode(), "at": "now"})
    assert good.json()["indication"] == "TOTAL-PASSED"


def test_validate_with_the_operators_and_a_named_policy(make_client: Callable[..., Client], demo: Path, signed: bytes) -> None:
    client = make_client(policy=str(demo / "pki" / "policy-test.toml"))
    response = client.post("/api/v1/validate", **upload(signed))
    assert response.status_code == 200, response.text
    answer = response.json()
    direct = vbsign.validate(
        demo / "signed.pdf", policy=demo / "pki" / "policy-test.toml", trust=[demo / "pki" / "roots.pem"], services=Services(online=False)
    ).to_dict()
    assert answer["status"] == direct["status"] and answer["verification"]["indication"] == "TOTAL-PASSED"
    assert {r["rule_id"] for r in answer["results"]} == {r["rule_id"] for r in direct["results"]}
    tt41 = client.post("/api/v1/validate", **upload(signed, policy="tt41", direction="incoming"))
    assert tt41.status_code == 200 and tt41.json()["policy"] == "tt41" != answer["policy"]


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) missing")
def test_report_html_and_pdf(client: Client, signed: bytes, tmp_path: Path) -> None:
    html = client.post("/api/v1/report", params={"format": "html"}, **upload(signed, name="văn bản.pdf"))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in html.text and ">HỢP LỆ<" in html.text and 'src="data:image/png;base64,' in html.text
    pdf = client.post("/api/v1/report", params={"format": "pdf", "lang": "en"}, **upload(signed, name="văn bản.pdf"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        "attachment; filename=\"v_n b_n.pdf.report.pdf\"; filename*=UTF-8''v%C4%83n%20b%E1%BA%A3n.pdf.report.pdf"
    )
    text = pdftotext(pdf.content, tmp_path)
    assert "VALID" in text and "Page 1, signature boxes outlined" in text
    validate = client.post("/api/v1/report", params={"kind": "validate"}, **upload(signed))
    assert validate.status_code == 200 and "Thẩm định theo quy định" in validate.text


def test_health_and_portal(client: Client) -> None:
    health = client.get("/api/v1/health")
    assert health.status_code == 200
    assert health.json() | {"jobs": None} == {"status": "ok", "version": vbsign.__version__, "mode": "in-process", "jobs": None}
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    assert "Kiểm tra chữ ký số văn bản điện tử" in page.text and "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text  # nothing from elsewhere
    assert '<html lang="en">' in client.get("/?lang=en").text
    script = client.get("/static/portal.js")
    assert script.status_code == 200 and "fetch(" in script.text


def test_openapi_is_valid_and_answers_meet_its_schemas(client: Client, signed: bytes, demo: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from openapi_spec_validator import validate as validate_spec
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    validate_spec(spec)  # a valid OpenAPI 3.1 document
    assert {"/api/v1/verify", "/api/v1/validate", "/api/v1/report", "/api/v1/health"} <= set(spec["paths"])
    assert "/" not in spec["paths"]
    # every $ref resolves
    text = json.dumps(spec)
    for ref in set(part.split('"')[0] for part in text.split('"$ref": "')[1:]):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in spec["components"]["schemas"], ref
    registry = Registry().with_resource("urn:spec", Resource(contents=spec, specification=DRAFT202012))

    def check(instance: Any, name: str) -> None:
        schema = {"$ref": f"urn:spec#/components/schemas/{name}"}
        jsonschema.Draft202012Validator(schema, registry=registry).validate(instance)

    for schema in spec["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    check(client.post("/api/v1/verify", **upload(signed)).json(), "Report")
    client2 = client.post("/api/v1/validate", **upload(signed))
    check(client2.json(), "ComplianceReport")
    check(client.post("/api/v1/verify", content=b"{}", headers={"content-type": "application/json"}).json(), "ErrorResponse")


def test_upload_cap_by_length_and_by_counted_bytes(make_client: Callable[..., Client], signed: bytes) -> None:
    client = make_client(limits={"max_upload_bytes": 10_000})
    error = assert_bilingual(client.post("/api/v1/verify", **upload(signed)), 413, "UPLOAD_TOO_LARGE")
    assert error["details"] == {"limit": 10_000} and "10000" in error["message_vi"]

    sent = 0

    async def chunks() -> Any:  # no Content-Length: the bytes are counted as they come
        nonlocal sent
        for _ in range(1000):  # 4 MB offered; refused once past the cap (2 × limit + form overhead)
            sent += 4096
            yield b"x" * 4096

    streamed = client.post("/api/v1/verify", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert_bilingual(streamed, 413, "UPLOAD_TOO_LARGE")
    assert sent < 400_000  # not read to the end
    small = client.post("/api/v1/verify", **upload(b"%PDF-1.4 not much", name="x.pdf"))
    assert small.status_code == 200 and small.json()["sub_indication"] == "FORMAT_FAILURE"  # under the cap: read


def test_bad_requests_are_refused_in_both_languages(client: Client, signed: bytes) -> None:
    assert_bilingual(client.post("/api/v1/verify", content=signed, headers={"content-type": "application/pdf"}), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_bilingual(client.post("/api/v1/verify", json={"document": "***"}), 400, "BAD_BASE64")
    assert_bilingual(client.post("/api/v1/verify", content=b"{", headers={"content-type": "application/json"}), 400, "BAD_JSON")
    assert_bilingual(client.post("/api/v1/verify", data={"at": "now"}, files={"other": ("a", b"x")}), 400, "NO_DOCUMENT")
    assert_bilingual(client.post("/api/v1/verify", **upload(signed, at="yesterday")), 422, "BAD_OPTION")
    assert_bilingual(client.post("/api/v1/validate", **upload(signed, policy="/etc/passwd")), 422, "POLICY_NOT_ALLOWED")
    # not a signature format at all: the CLI's exit 3, here 422 (the document is not processed)
    unknown = assert_bilingual(client.post("/api/v1/verify", **upload(b"hello world", name="x.bin")), 422, "UNSUPPORTED_FORMAT")
    assert "x.bin" in unknown["message_vi"]
    # a PDF that cannot be read is a verdict, as in the CLI: TOTAL-FAILED / FORMAT_FAILURE
    broken = client.post("/api/v1/verify", **upload(b"%PDF-1.7\nrubbish", name="x.pdf"))
    assert broken.status_code == 200 and (broken.json()["indication"], broken.json()["sub_indication"]) == ("TOTAL-FAILED", "FORMAT_FAILURE")


def test_api_keys(make_client: Callable[..., Client], signed: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# clients\nvanthu-so-tu-phap:{digest('k-1')}\n", "utf-8")
    client = make_client(api_keys_file=str(keys), require_key=True)
    assert_bilingual(client.post("/api/v1/verify", **upload(signed)), 401, "API_KEY_REQUIRED")
    assert_bilingual(client.post("/api/v1/verify", headers={"X-API-Key": "k-2"}, **upload(signed)), 401, "API_KEY_REQUIRED")
    with caplog.at_level(logging.INFO, logger="vbsign.service.access"):
        ok = client.post("/api/v1/verify", headers={"X-API-Key": "k-1"}, **upload(signed))
    assert ok.status_code == 200
    assert client.post("/api/v1/verify", headers={"Authorization": "Bearer k-1"}, **upload(signed)).status_code == 200
    entries = [r.entry for r in caplog.records if hasattr(r, "entry")]  # type: ignore[attr-defined]
    assert entries and entries[-1]["api_key"] == "vanthu-so-tu-phap"
    assert "k-1" not in json.dumps(entries)
    # without --require-key the verification routes are open; signing scopes stay closed
    open_client = make_client()
    assert open_client.post("/api/v1/verify", **upload(signed)).status_code == 200


def test_signing_scope_is_closed_without_keys() -> None:
    from vbsign.service.security import KeyRing
    from vbsign.service.uploads import RequestError

    with pytest.raises(RequestError) as e:
        KeyRing({}).check("sign", {"x-api-key": "anything"})
    assert e.value.status == 403 and e.value.code == "SIGNING_DISABLED"
    assert KeyRing({digest("s"): "dms"}).check("sign", {"x-api-key": "s"}) == "dms"


def test_access_log_has_no_document_contents(client: Client, signed: bytes, caplog: pytest.LogCaptureFixture) -> None:
    from vbsign.service.accesslog import JsonFormatter

    with caplog.at_level(logging.INFO, logger="vbsign.service.access"):
        client.post("/api/v1/verify", **upload(signed, name="mật.pdf"))
    record = [r for r in caplog.records if hasattr(r, "entry")][-1]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["path"] == "/api/v1/verify" and entry["status"] == 200 and entry["verdict"] == "TOTAL-PASSED"
    assert entry["document_sha256"] == vbsign_sha(signed) and entry["bytes_in"] > len(signed)
    assert "mật" not in line and base64.b64encode(signed[:48]).decode() not in line


def vbsign_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_request_timeout_answers_504(make_client: Callable[..., Client], signed: bytes) -> None:
    client = make_client(limits={"request_timeout": 0.02})
    error = assert_bilingual(client.post("/api/v1/report", params={"format": "pdf"}, **upload(signed)), 504, "TIMEOUT")
    assert "0.02" in error["message_vi"]
    assert client.get("/").status_code == 200  # the portal is not an API request


def test_full_service_answers_503_with_retry_after(make_client: Callable[..., Client], signed: bytes) -> None:
    """The one job slot taken: no room to wait → 503 at once; room to wait, but the slot
    stays taken past the queue timeout → 503 after it."""
    at_once = make_client(limits={"max_jobs": 1, "max_waiting": 0, "queue_timeout": 30})
    later = make_client(limits={"max_jobs": 1, "max_waiting": 4, "queue_timeout": 0.3})

    async def while_busy(client: Client) -> tuple[httpx.Response, float]:
        async with client.app.state.service.executor.slots.hold():
            started = time.monotonic()
            response = await client.http.post("/api/v1/verify", **upload(signed))
            return response, time.monotonic() - started

    response, waited = at_once.run(while_busy(at_once))
    assert_bilingual(response, 503, "BUSY")
    assert int(response.headers["retry-after"]) >= 1 and waited < 10  # not the queue timeout
    response, waited = later.run(while_busy(later))
    assert_bilingual(response, 503, "BUSY")
    assert waited >= 0.3
    assert later.post("/api/v1/verify", **upload(signed)).status_code == 200  # the slot is free again


def test_identical_requests_share_one_verification(client: Client, signed: bytes) -> None:
    async def many() -> list[httpx.Response]:
        return list(await asyncio.gather(*(client.http.post("/api/v1/verify", **upload(signed, name="same.pdf")) for _ in range(4))))

    answers = client.run(many())
    assert {r.json()["indication"] for r in answers} == {"TOTAL-PASSED"}
    assert len({r.json()["validation_time"] for r in answers}) == 1  # one verification


def test_uploads_kept_only_when_configured(make_client: Callable[..., Client], signed: bytes, tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    client = make_client(keep_uploads=str(keep))
    assert client.post("/api/v1/verify", **upload(signed)).status_code == 200
    assert [p.name for p in keep.iterdir()] == [f"{vbsign_sha(signed)}.pdf"]
    assert (keep / f"{vbsign_sha(signed)}.pdf").read_bytes() == signed


def test_detached_signature_with_its_content(client: Client, cades_pair: tuple[Path, Path], demo: Path) -> None:
    signature, content = cades_pair
    direct = vbsign.verify(signature, trust=[demo / "pki" / "roots.pem"], services=Services(online=False), content=content)
    files = {"file": (signature.name, signature.read_bytes()), "content": (content.name, content.read_bytes())}
    answer = client.post("/api/v1/verify", files=files)
    assert answer.status_code == 200, answer.text
    assert answer.json()["indication"] == direct.indication.value
    assert answer.json()["signatures"][0]["signer"]["subject_fields"]["common_name"] == "Nguyễn Văn A"
    # the content changed: the signature no longer matches it
    files["content"] = (content.name, content.read_bytes().replace(b"12", b"13"))
    changed = client.post("/api/v1/verify", files=files).json()
    assert changed["indication"] == "TOTAL-FAILED", changed["indication"]
    # JSON: the same, in base64
    body = {"document": base64.b64encode(signature.read_bytes()).decode(), "name": signature.name,
            "content": base64.b64encode(content.read_bytes()).decode(), "content_name": content.name}
    assert client.post("/api/v1/verify", json=body).json()["indication"] == direct.indication.value
