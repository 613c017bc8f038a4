"""Run the reference DMS story: two agencies exchange documents through vbsign.

    python examples/host_dms/run_story.py --root /tmp/dms

The test PKI's OCSP, CRL and TSA services run over real HTTP on 127.0.0.1 (a free port);
the certificates are the test PKI's (TEST ONLY). The story:

1. the Ministry (agency A) issues decision 12/QĐ-BKHCN with an appendix to the Hanoi
   department (agency B): the deputy minister signs, the clerk applies the seal and signs
   the appendix; B checks it and registers it (ACCEPT);
2. A issues 13/QĐ-BKHCN, damaged in transit: B returns it to A with the reason;
3. A issues 14/CV-BKHCN to another province, delivered to B by mistake: B returns it
   (wrong addressee, checked by the DMS's own vbsign plugin);
4. B issues 5/SKHCN-VP to A: A accepts it.

Exit code 0 when every decision is the expected one; ``--json`` prints the decisions.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dms import Agency, DmsPlugin, Exchange  # noqa: E402

A_NAME = "Bộ Khoa học và Công nghệ"
B_NAME = "Sở Khoa học và Công nghệ Hà Nội"
# the seals of the units the test PKI's agency certificates name (CN), as on real ones
A_SEAL = "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
B_SEAL = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
EXPECTED = {
    "12-QĐ-BKHCN": "ACCEPT",
    "13-QĐ-BKHCN": "RETURN_TO_SENDER",
    "14-CV-BKHCN": "RETURN_TO_SENDER",
    "5-SKHCN-VP": "ACCEPT",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True, help="DMS folder (created)")
    ap.add_argument("--port", type=int, default=0, help="port of the test PKI services (default: a free one)")
    ap.add_argument("--json", action="store_true", help="print the decisions as JSON")
    ap.add_argument("--plain", action="store_true", help="invisible signatures (no Decree 30 appearance)")
    args = ap.parse_args(argv)

    from vbsign import plugins, testpki
    from vbsign.api import Signer
    from vbsign.appearance import AgencyConfig
    from vbsign.testpki.sample_images import seal_png, signature_png
    from vbsign.host import ReceiveContext, SendContext
    from vbsign.testpki.samples import SampleDocument, official_document_pdf
    from vbsign.testpki.export import read_manifest, write_pki
    from vbsign.testpki.server import ServerThread
    from vbsign.pki.validation import Services

    root: Path = args.root
    root.mkdir(parents=True, exist_ok=True)
    port = args.port or _free_port()
    pki_dir = root / "pki"
    if pki_dir.exists():  # a second run reuses the PKI (its URLs name its port)
        port = int(read_manifest(pki_dir)["port"])  # type: ignore[call-overload]
    else:
        write_pki(pki_dir, port=port, passphrase=testpki.DEFAULT_PASSPHRASE)
    pki = testpki.load(port)
    services = Services(online=True, timeout=5)
    trust = [pki_dir / "roots.pem"]
    # the agencies' validation policy: Circular 41/2017 (tt41), with the TEST roots declared as
    # the agency's anchors (a real agency relies on the official roots vbsign knows)
    policy = root / "chinh-sach.toml"
    gov, pub = testpki.fingerprint(pki.cert("gov-root")), testpki.fingerprint(pki.cert("pub-root"))
    policy.write_text(
        f'[policy]\nextends = "tt41"\nname = "dms-test"\n\n[anchors]\ncdcv = ["{gov}"]\nnational = ["{pub}"]\n',
        encoding="utf-8",
    )

    def signer(label: str) -> Signer:
        return Signer(pki_dir / f"{label}.p12", passphrase=testpki.DEFAULT_PASSPHRASE, trust=trust,
                      tsa=pki.tsa_url, level="B-LT", services=services)

    def look(seal_text: str) -> AgencyConfig:
        """The agency's appearance configuration: its signature and seal images (Decree 30)."""
        d = root / "hinh-thuc" / seal_text.replace(" ", "-").lower()
        d.mkdir(parents=True, exist_ok=True)
        (d / "chu-ky.png").write_bytes(signature_png())
        (d / "con-dau.png").write_bytes(seal_png(seal_text))
        return AgencyConfig(signature_image=d / "chu-ky.png", seal_image=d / "con-dau.png", seal_diameter_mm=36)

    with ServerThread(pki, port), plugins.registered(DmsPlugin(root / "journal.jsonl"), "host-dms"):
        # on_send applies the Decree 30 appearances by default (--plain: invisible signatures)
        a = Agency(A_NAME, root / "bo-khcn",
                   SendContext(person=signer("person"), seal=signer("agency"), location="Hà Nội",
                               appearance=look(A_SEAL), person_title="Phó Cục trưởng", visible=not args.plain,
                               policy=str(policy)),
                   ReceiveContext(trust=trust, services=services, tsa=pki.tsa_url, policy=str(policy)))
        b = Agency(B_NAME, root / "so-khcn-hn",
                   SendContext(person=signer("person-b"), seal=signer("agency-b"), location="Hà Nội",
                               appearance=look(B_SEAL), person_title="Giám đốc", visible=not args.plain,
                               policy=str(policy)),
                   ReceiveContext(trust=trust, services=services, tsa=pki.tsa_url, policy=str(policy)))
        agencies = {a.name: a, b.name: b}
        exchange = Exchange(agencies)

        def draft(agency: Agency, name: str, doc: SampleDocument) -> Path:
            p = agency.root / "drafts" / name
            p.write_bytes(official_document_pdf(doc))
            return p

        a_doc = SampleDocument(number="12/QĐ-BKHCN")
        appendix = draft(a, "phu-luc-12.pdf", SampleDocument(kind="PHỤ LỤC", number="12/QĐ-BKHCN"))
        a.issue(draft(a, "qd-12.pdf", a_doc), number="12/QĐ-BKHCN", to=[B_NAME], attachments=[appendix])
        exchange.deliver(a, "12-QĐ-BKHCN", B_NAME)
        a.issue(draft(a, "qd-13.pdf", SampleDocument(number="13/QĐ-BKHCN")), number="13/QĐ-BKHCN", to=[B_NAME])
        exchange.deliver(a, "13-QĐ-BKHCN", B_NAME, corrupt=True)
        a.issue(draft(a, "cv-14.pdf", SampleDocument(kind="CÔNG VĂN", number="14/CV-BKHCN")),
                number="14/CV-BKHCN", to=["UBND tỉnh Ninh Bình"])
        exchange.deliver(a, "14-CV-BKHCN", B_NAME)  # wrong addressee
        decisions = b.receive_all(agencies)
        b_doc = SampleDocument(agency="SỞ KHOA HỌC VÀ CÔNG NGHỆ", parent_agency="ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
                               number="5/SKHCN-VP", issuer="GIÁM ĐỐC SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                               signer_title_line="GIÁM ĐỐC", signer_title="", signer_name="Trần Thị Bình")
        b.issue(draft(b, "5.pdf", b_doc), number="5/SKHCN-VP", to=[A_NAME])
        exchange.deliver(b, "5-SKHCN-VP", A_NAME)
        decisions |= a.receive_all(agencies)

    for line in a.log + b.log:
        print(line)
    if args.json:
        print(json.dumps(decisions, ensure_ascii=False, indent=2))
    ok = decisions == EXPECTED
    print("OK" if ok else f"UNEXPECTED: {decisions}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
