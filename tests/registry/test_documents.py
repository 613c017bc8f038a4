"""Office documents: registration/renewal list, revocation request list, token hand-over
record — print-ready Vietnamese PDF (checked as text with pdftotext) and CSV."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vbsign.registry.documents import handover_record, request_list
from vbsign.registry.errors import RegistryError

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def _text(pdf: bytes, tmp_path: Path) -> str:
    f = tmp_path / "doc.pdf"
    f.write_bytes(pdf)
    # reading order (not -layout): a table cell's wrapped lines stay together
    return subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def office(sreg: Any, pki: Any) -> tuple[Any, dict[str, int]]:
    sreg.set_settings({"agency": "Bộ Khoa học và Công nghệ", "office": "Trung tâm Công nghệ thông tin",
                       "locality": "Hà Nội", "signer_title": "Giám đốc", "signer_name": "Phạm Văn Giám"})
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    sreg.add_unit("TTCNTT", "Trung tâm Công nghệ thông tin", parent="BO")
    sreg.add_unit("CDS", "Cục Chuyển đổi số quốc gia", parent="BO")
    ids = {
        "a": sreg.add_subscriber("Lê Văn Cường", "TTCNTT", title="Chuyên viên", uid="CCCD:001090000111",
                                 email="cuong@most.gov.vn", phone="0243 000 111").id,
        "b": sreg.add_subscriber("Ngô Thị Hằng", "TTCNTT", title="Phó Giám đốc", uid="CCCD:001090000222").id,
        "org": sreg.add_subscriber("Cục Chuyển đổi số quốc gia", "CDS", kind="organisation").id,
    }
    sreg.import_certificates([pki.cert("person-ec"), pki.cert("agency")])
    return sreg, ids


def test_registration_list(office: tuple[Any, dict[str, int]], tmp_path: Path) -> None:
    reg, ids = office
    reg.create_request("new_person", subscriber=ids["b"], reference="45/TTCNTT-HTKT", note="Cán bộ mới")
    fp = reg.list_certificates(subscriber=ids["a"])[0].fingerprint
    reg.create_request("renewal", certificate=fp, reference="45/TTCNTT-HTKT")
    reg.create_request("revocation", certificate=fp, reason="Chuyển công tác")  # not on this list
    requests = reg.list_requests(reference="45/TTCNTT-HTKT")
    pdf = request_list(requests, "registration", "pdf", settings=reg.settings(), on=date(2026, 12, 1))
    text = _text(pdf, tmp_path)
    flat = _flat(text)
    assert "DANH SÁCH ĐỀ NGHỊ CẤP MỚI, GIA HẠN, THAY ĐỔI THÔNG TIN CHỨNG THƯ SỐ" in flat
    assert "(Kèm theo văn bản số 45/TTCNTT-HTKT)" in flat
    assert "Hà Nội, ngày 01 tháng 12 năm 2026" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    for needle in ("Ngô Thị Hằng", "Phó Giám đốc", "CCCD:001090000222", "Lê Văn Cường", "cuong@most.gov.vn",
                   "(Mẫu 01)", "(Mẫu 04)", "Cán bộ mới", "Tổng số: 2 thuê bao", "NGƯỜI LẬP DANH SÁCH", "GIÁM ĐỐC",
                   "Phạm Văn Giám", "(Ký, ghi rõ họ tên)"):
        assert needle in flat, needle
    assert "Chuyển công tác" not in flat
    data = request_list(requests, "registration", "csv", settings=reg.settings(), on=date(2026, 12, 1))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith("\ufeff".encode()) and rows[0][1] == "Họ và tên" and len(rows) == 3


def test_revocation_list(office: tuple[Any, dict[str, int]], tmp_path: Path) -> None:
    reg, ids = office
    fp = reg.list_certificates(subscriber=ids["a"])[0].fingerprint
    reg.set_certificate_token(fp, "TK-7788")
    r = reg.create_request("revocation", certificate=fp, reason="Nghỉ hưu")
    reg.transition_request(r.id, "submitted")
    pdf = request_list(reg.list_requests(status="submitted"), "revocation", "pdf", settings=reg.settings(),
                       on=date(2026, 12, 1))
    flat = _flat(_text(pdf, tmp_path))
    for needle in ("DANH SÁCH ĐỀ NGHỊ THU HỒI CHỨNG THƯ SỐ", "Lê Văn Cường", "Nghỉ hưu", "TK-7788",
                   reg.certificate(fp).serial_hex, "01/01/2030"):
        assert needle in flat, needle
    with pytest.raises(RegistryError):
        request_list(reg.list_requests(status="submitted"), "registration", "pdf", settings={}, on=date(2026, 12, 1))


def test_handover_record(office: tuple[Any, dict[str, int]], tmp_path: Path) -> None:
    reg, ids = office
    seal = reg.list_certificates(subscriber=ids["org"])[0]
    reg.set_certificate_token(seal.fingerprint, "SN-00451")
    clerk = reg.add_subscriber("Đào Thị Văn", "BO", title="Văn thư").id
    h = reg.record_handover("SN-00451", reason="issue", to_subscriber=clerk, handed_on=date(2026, 4, 10),
                            record_no="12/BB-TTCNTT", model="SafeNet eToken 5110", note="Kèm phong bì mã PIN")
    pdf = handover_record(h, "pdf", settings=reg.settings())
    flat = _flat(_text(pdf, tmp_path))
    for needle in ("BIÊN BẢN BÀN GIAO", "THIẾT BỊ LƯU KHÓA BÍ MẬT VÀ CHỨNG THƯ SỐ", "Số: 12/BB-TTCNTT",
                   "Hôm nay, ngày 10 tháng 04 năm 2026, tại Hà Nội", "Bên giao (Bên A): Trung tâm Công nghệ thông tin",
                   "Bên nhận (Bên B): Đào Thị Văn", "SN-00451", "SafeNet eToken 5110", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA",
                   seal.serial_hex, "01/01/2025 – 01/01/2030", "giữ bí mật mã PIN", "Kèm phong bì mã PIN",
                   "mỗi bên giữ 01 bản", "ĐẠI DIỆN BÊN GIAO", "ĐẠI DIỆN BÊN NHẬN", "(Ký, ghi rõ họ tên)"):
        assert needle in flat, needle
    back = reg.record_handover("SN-00451", reason="return_to_ca", to_party="Cục Chứng thực số và Bảo mật thông tin")
    flat2 = _flat(_text(handover_record(back, "pdf", settings=reg.settings()), tmp_path))
    assert "Mẫu 08" in flat2 and "Bên giao (Bên A): Đào Thị Văn" in flat2
    rows = list(csv.reader(io.StringIO(handover_record(h, "csv", settings={}).decode("utf-8-sig"))))
    assert rows[1][1:3] == ["SN-00451", "SafeNet eToken 5110"]
