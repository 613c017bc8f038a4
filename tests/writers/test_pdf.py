"""Documents as other writers leave them: every class of issue 12 verifies as the writer intended.

Each test builds its fixture at test time with a real tool (qpdf, pyHanko) or writes the
update exactly as the named writer does (tests.writers.kit), then checks two things: the valid
document is not failed, and the nearest attack of the same shape still is. Expected
names come from the test PKI (``pki.cert(label)``), never from literals.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pyhanko.pdf_utils import generic

from tests._fixtures.cli import invoke
from tests.writers import kit as wk
from vbsign._core.errors import PasswordRequired
from vbsign.formats.pades import visual
from vbsign.model.report import Indication

needs_poppler = pytest.mark.skipif(not visual.available(), reason="poppler (pdftoppm) not installed")


def _codes(rep: Any) -> set[str]:
    return {f.code for s in rep.signatures for f in s.findings} | {f.code for f in rep.findings}


def _errors(rep: Any) -> set[str]:
    return {f.code for s in rep.signatures for f in s.findings if f.severity.value == "error"}


def _common_name(pki: Any, label: str) -> str:
    return str(pki.cert(label).subject.native.get("common_name"))


def _all_passed(rep: Any) -> None:
    assert rep.indication is Indication.TOTAL_PASSED, [(s.id, s.indication.value, [(f.code, f.message_en[:400]) for f in s.findings if f.severity.value != "info"]) for s in rep.signatures]


# ---- 1. cross-reference streams, object streams, linearised first revisions ------------


@pytest.mark.parametrize("rewrite", [["--object-streams=generate"], ["--linearize"], ["--object-streams=generate", "--linearize"]])
def test_rewritten_then_signed_twice(rewrite, sample_pdf, sign_as, verify_at, pki):  # type: ignore[no-untyped-def]
    """qpdf-saved documents (xref + object streams, linearised) signed by two people."""
    doc = wk.qpdf(sample_pdf, *rewrite)
    once = sign_as("person", doc)
    twice = sign_as("agency", once)
    rep = verify_at(twice)
    _all_passed(rep)
    assert [s.signer.common_name for s in rep.signatures if s.kind == "signature"] == [
        _common_name(pki, "person"),
        _common_name(pki, "agency"),
    ]
    assert not {"XREF_OUTSIDE_REVISION", "HIDDEN_OBJECT", "STARTXREF_MISMATCH"} & _codes(rep)


def test_xref_stream_written_before_its_objects(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """Issue 12, class 1: an update's xref stream placed before the objects it lists is
    ordinary writer output, not an object outside its revision."""
    signed = sign_as("person", wk.qpdf(sample_pdf, "--object-streams=generate"))
    rep = verify_at(wk.xref_stream_first_update(signed))
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    assert "XREF_OUTSIDE_REVISION" not in _codes(rep)


def test_free_entry_for_an_unused_number_is_no_change(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """iText lists its own xref stream as a free entry, Acrobat frees numbers it reserved."""
    signed = sign_as("person", sample_pdf)
    size, _ = wk.trailer_of(signed)
    rep = verify_at(wk.free_entry_update(signed, size + 5))
    assert rep.signatures[0].indication is Indication.TOTAL_PASSED, sorted(_codes(rep))


def test_freeing_a_signed_object_still_fails(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    signed = sign_as("person", sample_pdf)
    page = wk.PdfFileReader(io.BytesIO(signed)).root["/Pages"]["/Kids"].raw_get(0)
    rep = verify_at(wk.free_entry_update(signed, page.idnum))
    assert rep.indication is Indication.TOTAL_FAILED
    assert "OBJECT_FREED" in _errors(rep)


# ---- 2. certification then approval signatures and form filling ------------------------


def _form(sample_pdf: bytes, *, separate_widget: bool = False) -> bytes:
    return wk.incremental(sample_pdf, lambda w: wk.add_text_field(w, "SoDen", wk.FIELD_AREA, "...", separate_widget=separate_widget))


@needs_poppler
@pytest.mark.parametrize("permission", [2, 3])
@pytest.mark.parametrize("separate_widget", [False, True])
def test_certified_then_form_filled_and_signed(permission, separate_widget, sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """ISO 32000-2 §12.8.2.2: P2/P3 permit filling in forms and signing."""
    certified = sign_as("person", _form(sample_pdf, separate_widget=separate_widget), certify=permission)
    filled = wk.incremental(certified, lambda w: wk.fill_text_field(w, "SoDen", "123/QD-UBND"))
    both = sign_as("agency", filled)
    rep = verify_at(both)
    _all_passed(rep)
    first = rep.signatures[0]
    assert first.modification.certified and first.modification.docmdp_ok
    assert "FORM_FIELD_CHANGED" in {f.code for f in first.findings}
    from vbsign.model.render import render_text

    line = next(x for x in render_text(rep, lang="en").splitlines() if "Changes after signing" in x)
    assert "field value changed" in line and f"allowed: certification DocMDP P{permission}" in line


def test_certified_p1_refuses_form_filling(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    certified = sign_as("person", _form(sample_pdf), certify=1)
    filled = wk.incremental(certified, lambda w: wk.fill_text_field(w, "SoDen", "123/QD-UBND"))
    rep = verify_at(filled)
    assert rep.indication is Indication.TOTAL_FAILED
    assert "DOCMDP_VIOLATION" in _errors(rep)
    from vbsign.model.render import render_text

    line = next(x for x in render_text(rep, lang="en").splitlines() if "Changes after signing" in x)
    assert "NOT allowed: certification DocMDP P1" in line


def test_certified_then_signed_in_a_prepared_field(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    prepared = wk.add_empty_signature_field(sample_pdf, "ConDau", (330, 120, 540, 200))
    certified = sign_as("person", prepared, certify=2)
    both = sign_as("agency", certified, field="ConDau")
    _all_passed(verify_at(both))


# ---- 3. several signers in turn -------------------------------------------------------


@pytest.mark.slow
@needs_poppler
def test_four_signers_each_adding_a_field_and_form_data(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    boxes = [(330.0, 60.0 + 26 * i, 540.0, 82.0 + 26 * i) for i in range(4)]

    def prepare(w):  # type: ignore[no-untyped-def]
        for i, box in enumerate(boxes):
            wk.add_text_field(w, f"Y{i}", box, "")

    data = wk.incremental(sample_pdf, prepare)
    for i, who in enumerate(["person", "person-b", "agency", "person"]):
        data = wk.incremental(data, lambda w, i=i: wk.fill_text_field(w, f"Y{i}", f"Da xem {i + 1}"))
        data = sign_as(who, data)
    rep = verify_at(data)
    _all_passed(rep)
    assert len([s for s in rep.signatures if s.kind == "signature"]) == 4


# ---- 4. encrypted documents ------------------------------------------------------------


def test_owner_password_only_is_transparent(sample_pdf, pki, verify_at):  # type: ignore[no-untyped-def]
    doc = wk.qpdf(sample_pdf, "--encrypt", "", "chu-so-huu", "256", "--")
    signed = wk.pyhanko_sign(pki, "agency", wk.pyhanko_sign(pki, "person", doc, "S1", password=b""), "S2", password=b"")
    rep = verify_at(signed)
    assert rep.indication is not Indication.TOTAL_FAILED
    assert all(s.integrity.intact and s.integrity.signature_valid for s in rep.signatures)
    assert not _errors(rep) - {"REVOCATION_UNAVAILABLE"}


@pytest.fixture
def user_password_pdf(sample_pdf, pki):  # type: ignore[no-untyped-def]
    doc = wk.qpdf(sample_pdf, "--encrypt", "mat-khau", "chu-so-huu", "256", "--")
    return wk.pyhanko_sign(pki, "person", doc, "S1", password=b"mat-khau")


def test_user_password_needed(user_password_pdf, verify_at):  # type: ignore[no-untyped-def]
    with pytest.raises(PasswordRequired) as e:
        verify_at(user_password_pdf)
    assert "password needed" in e.value.message_en and "cần mật khẩu" in e.value.message_vi
    with pytest.raises(PasswordRequired):
        verify_at(user_password_pdf, password="sai")
    rep = verify_at(user_password_pdf, password="mat-khau")
    assert rep.signatures[0].integrity.intact and rep.signatures[0].integrity.signature_valid


@pytest.mark.parametrize("lang,text", [("vi", "cần mật khẩu"), ("en", "password needed")])
def test_cli_exit_3_without_password(lang, text, user_password_pdf, tmp_path):  # type: ignore[no-untyped-def]
    f = tmp_path / "mat.pdf"
    f.write_bytes(user_password_pdf)
    env: dict[str, str | None] = {"VBSIGN_LANG": lang}
    r = invoke(["verify", "--offline", str(f)], env=env)
    assert r.returncode == 3, r.stdout + r.stderr
    assert text in r.stderr
    assert "TOTAL" not in r.stdout + r.stderr
    env["PDF_PW"] = "mat-khau"
    r = invoke(["verify", "--offline", "--password-env", "PDF_PW", str(f)], env=env)
    assert r.returncode in (0, 2), r.stdout + r.stderr
    assert "mat-khau" not in r.stdout + r.stderr


# ---- 5. quirky CMS from real tools ------------------------------------------------------


def test_ber_encoded_cms(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    rep = verify_at(wk.ber_contents(sign_as("person", sample_pdf)))
    s = rep.signatures[0]
    assert s.integrity.intact and s.integrity.signature_valid
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))


def test_empty_encapsulated_content_is_not_altered(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    rep = verify_at(wk.empty_econtent(sign_as("person", sample_pdf)))
    s = rep.signatures[0]
    assert rep.indication is not Indication.TOTAL_FAILED, sorted(_codes(rep))
    assert s.integrity.intact and s.integrity.signature_valid
    assert "ENCAPSULATED_CONTENT_IN_DETACHED" in {f.code for f in s.findings}


# ---- other writer habits ----------------------------------------------------------------


def _copy_resources(w):  # type: ignore[no-untyped-def]
    page = w.root["/Pages"]["/Kids"][0].get_object()
    res = page["/Resources"]
    page[wk.name("/Resources")] = w.add_object(generic.DictionaryObject(dict(res.items())))
    w.update_container(page)


def test_page_resources_rewritten_as_an_exact_copy(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """A timestamping tool re-serialises the page's /Resources under a new number."""
    rep = verify_at(wk.incremental(sign_as("person", sample_pdf), _copy_resources))
    assert rep.signatures[0].indication is Indication.TOTAL_PASSED, sorted(_codes(rep))


def test_page_resources_rewritten_with_another_font_fails(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    def swap(w):  # type: ignore[no-untyped-def]
        page = w.root["/Pages"]["/Kids"][0].get_object()
        res = generic.DictionaryObject(dict(page["/Resources"].items()))
        res[wk.name("/Font")] = generic.DictionaryObject()
        page[wk.name("/Resources")] = w.add_object(res)
        w.update_container(page)

    rep = verify_at(wk.incremental(sign_as("person", sample_pdf), swap))
    assert rep.indication is Indication.TOTAL_FAILED
    assert {"FONT_CHANGED", "MODIFIED_AFTER_SIGNING"} <= _errors(rep)


def test_field_name_with_a_period(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """Some signing tools name a field "El.Podpis"; the document is still analysed."""
    data = wk.incremental(sample_pdf, lambda w: wk.add_text_field(w, "Ghi.Chu", wk.FIELD_AREA, ""))
    rep = verify_at(sign_as("agency", sign_as("person", data)))
    _all_passed(rep)


@needs_poppler
def test_stamp_clipping_the_edge_of_a_text_line_is_a_warning(sample_pdf, sign_as, verify_at, kit_stamp):  # type: ignore[no-untyped-def]
    """Item 7: a second stamp placed a little over the text: a warning with a picture."""
    x1, y1, x2, _ = wk.TEXT_LINE
    leader = sign_as("person", sample_pdf)
    # the stamp's white background reaches a little way up the glyphs of the number line
    # ("Số: 414/QĐ-CĐSQG"): the crossbars of Đ stay visible (past them it is a sneaky signature)
    both = sign_as("agency", leader, appearance=kit_stamp((x1, y1 - 35, x2, y1 + 12)))
    rep = verify_at(both)
    first = rep.signatures[0]
    assert first.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    warn = [f for f in first.findings if f.code == "SIGNATURE_OVERLAPS_CONTENT"]
    assert warn and str(warn[0].details.get("picture", "")).startswith("data:image/png;base64,")


@needs_poppler
def test_stamp_over_the_whole_text_line_is_a_sneaky_signature(sample_pdf, sign_as, verify_at, kit_stamp):  # type: ignore[no-untyped-def]
    leader = sign_as("person", sample_pdf)
    rep = verify_at(sign_as("agency", leader, appearance=kit_stamp(wk.TEXT_LINE)))
    assert rep.indication is Indication.TOTAL_FAILED
    assert "SIGNATURE_WIDGET_COVERS_CONTENT" in _errors(rep)




# ---- certified P3: annotations are permitted (ISO 32000-2 §12.8.2.2.2) -----------------------


def _certified(sign_as, sample_pdf, level):  # type: ignore[no-untyped-def]
    return sign_as("person", sample_pdf, certify=level)


def test_certified_p3_with_a_comment_in_a_blank_area_passes(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """DocMDP P=3 permits annotations: a comment that hides nothing passes by default (the
    certification-attack study's originals are such files); the change is reported."""
    noted = wk.incremental(_certified(sign_as, sample_pdf, 3), lambda w: wk.add_freetext(w, wk.BLANK_AREA, "Da xem", opaque=False))
    rep = verify_at(noted)
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    sig = rep.signatures[0]
    assert sig.modification.level == "ANNOTATIONS" and sig.modification.docmdp_permission == 3


def test_certified_p3_with_a_comment_over_text_fails(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """The evil-annotation attack stays caught at P=3: an opaque comment over signed text."""
    covered = wk.incremental(_certified(sign_as, sample_pdf, 3), lambda w: wk.add_freetext(w, wk.TEXT_LINE, "So: 1/QD", opaque=True))
    rep = verify_at(covered)
    assert rep.indication is Indication.TOTAL_FAILED
    assert "ANNOTATION_COVERS_CONTENT" in _codes(rep), sorted(_codes(rep))


def test_certified_p2_refuses_a_comment(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    noted = wk.incremental(_certified(sign_as, sample_pdf, 2), lambda w: wk.add_freetext(w, wk.BLANK_AREA, "Da xem", opaque=False))
    rep = verify_at(noted, allow_comments=True)
    assert rep.indication is Indication.TOTAL_FAILED
    assert "DOCMDP_VIOLATION" in _codes(rep) or "MODIFIED_AFTER_SIGNING" in _codes(rep), sorted(_codes(rep))


# ---- comments with Acrobat's icon name tree (/Names /AP) ---------------------------------------


def _comment_with_icon(w):  # type: ignore[no-untyped-def]
    wk.add_freetext(w, wk.BLANK_AREA, "Da xem", opaque=False)
    wk.add_catalog_name(w, "/AP", "~icon+Comment+150:67:252-ENU-0", wk.icon_appearance(w))


def test_comment_with_an_appearance_name_entry_when_comments_are_allowed(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    """Acrobat stores a comment's icon in the catalog's /Names /AP tree: with
    --allow-comments that is explained (new form XObjects only); by default comments
    after an approval signature stay refused (product decision, attack tests)."""
    noted = wk.incremental(sign_as("person", sample_pdf), _comment_with_icon)
    assert verify_at(noted).indication is Indication.TOTAL_FAILED
    rep = verify_at(noted, allow_comments=True)
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    assert "CATALOG_CHANGED" not in _codes(rep)


def test_javascript_name_entry_is_never_a_comment(sample_pdf, sign_as, verify_at):  # type: ignore[no-untyped-def]
    def script(w):  # type: ignore[no-untyped-def]
        wk.add_freetext(w, wk.BLANK_AREA, "Da xem", opaque=False)
        js = w.add_object(generic.DictionaryObject({wk.name("/S"): wk.name("/JavaScript"), wk.name("/JS"): generic.TextStringObject("app.alert(1)")}))
        wk.add_catalog_name(w, "/JavaScript", "init", js)

    rep = verify_at(wk.incremental(sign_as("person", sample_pdf), script), allow_comments=True)
    assert rep.indication is Indication.TOTAL_FAILED
    assert "CATALOG_CHANGED" in _codes(rep)
