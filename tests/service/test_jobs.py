"""What a queued job carries and how it is keyed: the same document asked the same way gets
the same key (the stored result's name); anything its verdict depends on changes the key;
a job survives the trip through the broker unchanged; a request cannot raise the service's
per-file limits; a configuration survives the trip to uvicorn's worker processes."""

from __future__ import annotations

import dataclasses
import json

from vbsign.service.config import ServiceConfig, ServiceLimits
from vbsign.service.jobs import Job, JobOptions, Settings, _limits, from_payload, to_payload

SETTINGS = Settings(trust_der=(b"anchor-1",), policy="tt41", max_seconds=10.0)


def test_key_is_the_document_hash_and_everything_else_that_decides() -> None:
    job = Job("verify", b"%PDF-1.7 one", "a.pdf")
    assert job.key(SETTINGS) == Job("verify", b"%PDF-1.7 one", "a.pdf").key(SETTINGS)
    assert job.key(SETTINGS).startswith(f"verify-{job.sha256}-")
    others = [
        Job("validate", b"%PDF-1.7 one", "a.pdf"),
        Job("verify", b"%PDF-1.7 two", "a.pdf"),
        Job("verify", b"%PDF-1.7 one", "b.pdf"),  # the name is shown in the report
        Job("verify", b"%PDF-1.7 one", "a.pdf", JobOptions(at="now")),
        Job("verify", b"%PDF-1.7 one", "a.pdf", content=b"detached"),
    ]
    keys = {job.key(SETTINGS), *(o.key(SETTINGS) for o in others)}
    assert len(keys) == 1 + len(others)
    for changed in (dataclasses.replace(SETTINGS, trust_der=(b"anchor-2",)), dataclasses.replace(SETTINGS, offline=True),
                    dataclasses.replace(SETTINGS, policy_text="[policy]")):
        assert job.key(changed) != job.key(SETTINGS)


def test_payload_round_trip_is_json() -> None:
    job = Job("validate", bytes(range(256)), "công văn.pdf", JobOptions(policy="tt41", roles="person,agency"), b"\x00c", "nội dung.docx")
    payload = json.loads(json.dumps(to_payload(job, SETTINGS)))  # what Celery's json serializer sends
    back, settings = from_payload(payload)
    assert back == job and settings == SETTINGS
    assert back.key(settings) == job.key(SETTINGS)


def test_a_request_cannot_raise_the_per_file_time_limit() -> None:
    assert _limits(Job("verify", b"", "x", JobOptions(max_seconds=60)), SETTINGS).max_seconds == 10.0
    assert _limits(Job("verify", b"", "x", JobOptions(max_seconds=2)), SETTINGS).max_seconds == 2.0
    assert _limits(Job("verify", b"", "x"), SETTINGS).max_memory == SETTINGS.max_memory


def test_config_round_trip() -> None:
    config = ServiceConfig(trust=("/a.pem", "/b.pem"), policy="cdcv", broker="redis://127.0.0.1:1/0",
                           limits=ServiceLimits(max_upload_bytes=1234, max_jobs=3, isolate="always"))
    assert ServiceConfig.from_json(config.to_json()) == config
