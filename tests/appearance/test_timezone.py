"""The time shown is the signature's own time, in +07:00, whatever the machine's zone.

Each run signs in a subprocess with ``TZ`` set, on the wall clock (no fixed clock), and
compares the text drawn on the page with the signing time recorded in the signature.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import io, json, re, sys
from pyhanko.pdf_utils.reader import PdfFileReader
from vbsign import api
from vbsign.appearance import Appearance
from vbsign.testpki.samples import official_document_pdf
from vbsign.pki.validation import Services, format_vn_time

pki_dir = sys.argv[1]
ap = Appearance.copy("SAO Y")
res = api.sign(official_document_pdf(), key=pki_dir + "/agency.p12", passphrase="vbsign-test",
               trust=[pki_dir + "/roots.pem"], level="B-B", check_revocation=False,
               services=Services(online=False), appearance=ap)
sig = PdfFileReader(io.BytesIO(res.data)).embedded_signatures[0]
from pyhanko.pdf_utils.content_stream_parser import parse_content_stream
ap_stream = sig.sig_field["/AP"]["/N"].get_object()
# the text each line draws, as its /ActualText (what copy-paste and pdftotext see)
shown = [str(op.args[1]["/ActualText"]) for op in parse_content_stream([ap_stream]) if op.op == "BDC"]
print(json.dumps({
    "shown": shown,
    "recorded": format_vn_time(sig.self_reported_timestamp),
    "m": str(sig.sig_object["/M"]),
    "result": format_vn_time(res.signing_time),
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_shown_time_equals_recorded_time_in_any_zone(tz: str, pki_dir) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TZ": tz}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(pki_dir)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["recorded"].endswith(" +07:00")
    assert out["shown"][-1] == out["recorded"] == out["result"]
    # /M (the PDF signing time) is the same instant: D:YYYYMMDDHHmmSS±HH'mm'
    import re
    from datetime import datetime, timedelta, timezone

    m = re.match(r"D:(\d{14})([+-Z])(\d\d)?'?(\d\d)?", out["m"])
    assert m
    base = datetime.strptime(m[1], "%Y%m%d%H%M%S")
    off = timedelta(0) if m[2] == "Z" else (1 if m[2] == "+" else -1) * timedelta(hours=int(m[3] or 0), minutes=int(m[4] or 0))
    from vbsign._core.timefmt import format_vn_time

    assert format_vn_time(base.replace(tzinfo=timezone(off))) == out["recorded"]


def test_invisible_signing_loads_no_font_image_or_text_machinery(pki_dir) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from vbsign import api\n"
        "from vbsign.pki.validation import Services\n"
        "data = open(sys.argv[2], 'rb').read()\n"
        "api.sign(data, key=sys.argv[1] + '/person.p12', passphrase='vbsign-test', trust=[sys.argv[1] + '/roots.pem'],"
        " level='B-B', check_revocation=False, services=Services(online=False))\n"
        "print(sorted(m for m in ('vbsign.appearance.roles', 'vbsign.appearance.images', 'pdfminer', 'uharfbuzz',"
        " 'PIL.Image', 'vbsign.appearance.fonts') if m in sys.modules))\n"
    )
    from vbsign.testpki.samples import official_document_pdf

    pdf = pki_dir.parent / f"invisible-{os.getpid()}.pdf"
    pdf.write_bytes(official_document_pdf())
    proc = subprocess.run([sys.executable, "-c", code, str(pki_dir), str(pdf)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
