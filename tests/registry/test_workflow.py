"""Certification requests (Decree 68/2024 forms): workflow, dates, side effects; custody."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from vbsign._core.i18n import use_lang
from vbsign.registry.errors import NotFound, RegistryError, WorkflowError
from vbsign.registry.workflow import REQUEST_KINDS, TRANSITIONS


def test_new_personal_certificate_request_goes_through(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    r = reg.create_request("new_person", subscriber=ids["person-ec"], reference="123/TTCNTT", created_on=date(2026, 3, 2))
    assert (r.status, r.form, r.unit_code) == ("draft", "01", "CDS")
    reg.transition_request(r.id, "submitted", on=date(2026, 3, 5))
    reg.transition_request(r.id, "returned", on=date(2026, 3, 9), note="Thiếu bản sao CCCD")
    reg.transition_request(r.id, "submitted", on=date(2026, 3, 10))
    reg.transition_request(r.id, "approved", on=date(2026, 3, 16))
    done = reg.transition_request(r.id, "completed", on=date(2026, 3, 20))
    assert (done.submitted_on, done.approved_on, done.completed_on) == (date(2026, 3, 10), date(2026, 3, 16), date(2026, 3, 20))
    history = reg.request_history(r.id)
    assert [h["to"] for h in history] == ["draft", "submitted", "returned", "submitted", "approved", "completed"]
    assert history[2]["note"] == "Thiếu bản sao CCCD"


def test_illegal_transition_is_refused_with_a_message(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    r = reg.create_request("new_person", subscriber=ids["person"])
    with pytest.raises(WorkflowError) as err:
        reg.transition_request(r.id, "completed")
    e = err.value
    assert 'từ "Đang lập hồ sơ" sang "Hoàn thành"' in e.message_vi
    assert "Đã gửi (submitted)" in e.message_vi and "Đã hủy (cancelled)" in e.message_vi
    assert 'from "Draft" to "Completed"' in e.message_en and "Submitted (submitted)" in e.message_en
    assert e.details["allowed"] == ["submitted", "cancelled"]
    assert reg.request(r.id).status == "draft"  # unchanged
    with use_lang("en"):
        assert e.message().startswith("Request #")
    reg.transition_request(r.id, "cancelled")
    with pytest.raises(WorkflowError) as closed:
        reg.transition_request(r.id, "submitted")
    assert "đã kết thúc" in closed.value.message_vi and "closed" in closed.value.message_en
    with pytest.raises(WorkflowError):
        reg.transition_request(r.id, "archived")


def test_every_status_has_a_consistent_workflow() -> None:
    for status, targets in TRANSITIONS.items():
        assert targets <= set(TRANSITIONS), status
    forms = {k.form for k in REQUEST_KINDS.values()}
    assert forms == {"01", "02", "03", "04", "05", "06", "08", "09"}


def test_kind_requirements(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    with pytest.raises(RegistryError) as e1:
        reg.create_request("renewal", subscriber=ids["person"])
    assert "--cert" in e1.value.message_vi
    with pytest.raises(RegistryError) as e2:
        reg.create_request("new_agency", subscriber=ids["person"])
    assert "Cơ quan, tổ chức" in e2.value.message_vi and "Organisation" in e2.value.message_en
    with pytest.raises(WorkflowError):
        reg.create_request("new_spaceship", subscriber=ids["person"])
    with pytest.raises(NotFound):
        reg.create_request("new_person", subscriber=9999)
    other = reg.list_certificates(subscriber=ids["agency"])[0].fingerprint
    with pytest.raises(RegistryError):
        reg.create_request("revocation", subscriber=ids["person"], certificate=other)
    r = reg.create_request("renewal", certificate=other)  # the subscriber follows from the certificate
    assert r.subscriber_id == ids["agency"] and r.form == "04"
    with pytest.raises(RegistryError):
        reg.transition_request(r.id, "submitted", on=date(2020, 1, 1))  # before it was created


def test_completed_revocation_starts_the_token_clock(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    fp = reg.list_certificates(subscriber=ids["person-ec"])[0].fingerprint
    reg.set_certificate_token(fp, "TK-0001")
    reg.add_token("TK-0001", model="bit4id TokenME", owner=ids["person-ec"])
    r = reg.create_request("revocation", certificate=fp, reason="Nghỉ hưu", created_on=date(2026, 6, 1))
    for status, on in (("submitted", date(2026, 6, 1)), ("approved", date(2026, 6, 2)), ("completed", date(2026, 6, 4))):
        reg.transition_request(r.id, status, on=on)
    cert = reg.certificate(fp)
    assert cert.status == "revoked" and r.token_serial == "TK-0001"
    # lost-token request completed: the token's status follows
    lost = reg.create_request("lost_token", subscriber=ids["person-ec"], token_serial="TK-0001")
    for status in ("submitted", "approved", "completed"):
        reg.transition_request(lost.id, status)
    assert reg.list_tokens()[0].status == "lost"


def test_handover_custody_rules(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    seal_fp = reg.list_certificates(subscriber=ids["agency"])[0].fingerprint
    reg.set_certificate_token(seal_fp, "SEAL-01")
    clerk = reg.add_subscriber("Hoàng Thị Văn Thư", "BO", title="Văn thư").id
    h = reg.record_handover("SEAL-01", reason="issue", to_subscriber=clerk, handed_on=date(2026, 4, 10),
                            record_no="01/BB-TTCNTT", model="SafeNet eToken 5110")
    assert h.from_party == "Trung tâm Công nghệ thông tin" and h.to_party == "Hoàng Thị Văn Thư"
    # the seal certificate's name as written on it (the unit, in capitals, as on real ones)
    assert h.certificates[0][0] == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    tok = reg.list_tokens()[0]
    assert (tok.owner_name, tok.holder_name, tok.status) == ("Cục Chuyển đổi số quốc gia", "Hoàng Thị Văn Thư", "in_use")
    # the agency's key device changes hands only with a written permission (NĐ 30/2020 Đ32)
    with pytest.raises(RegistryError) as err:
        reg.record_handover("SEAL-01", reason="custody", to_party="Nguyễn Văn Mới")
    assert "văn bản cho phép" in err.value.message_vi
    h2 = reg.record_handover("SEAL-01", reason="custody", to_party="Nguyễn Văn Mới", permission_ref="15/QĐ-BKHCN")
    assert h2.from_party == "Hoàng Thị Văn Thư"
    reg.record_handover("SEAL-01", reason="return_to_ca", to_party="Cục Chứng thực số và Bảo mật thông tin")
    assert reg.list_tokens()[0].status == "returned_to_ca"
    with pytest.raises(RegistryError) as done:
        reg.record_handover("SEAL-01", reason="issue", to_party="X")
    assert "không thể bàn giao tiếp" in done.value.message_vi
    assert [x.reason for x in reg.list_handovers(token_serial="SEAL-01")] == ["issue", "custody", "return_to_ca"]


def test_units_and_subscribers_are_validated(sreg: Any) -> None:
    from vbsign.registry.errors import Duplicate

    sreg.add_unit("A", "Đơn vị A")
    sreg.add_unit("B", "Đơn vị B", parent="A")
    with pytest.raises(Duplicate):
        sreg.add_unit("A", "Trùng mã")
    with pytest.raises(RegistryError):
        sreg.update_unit("A", parent="B")  # a cycle
    with pytest.raises(NotFound) as nf:
        sreg.add_subscriber("X", "NOPE")
    assert "NOPE" in nf.value.message_vi
    sreg.add_subscriber("Đơn vị A", "A", kind="organisation")
    with pytest.raises(Duplicate):
        sreg.add_subscriber("Đơn vị A (2)", "A", kind="organisation")
    sreg.add_subscriber("Người 1", "A", uid="CCCD:1")
    with pytest.raises(Duplicate):
        sreg.add_subscriber("Người 2", "B", uid="cccd:1")
    assert [u.depth for u in sreg.list_units()] == [0, 1]
