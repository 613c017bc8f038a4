#!/usr/bin/env bash
# Regenerate the committed writer fixtures of tests/writers/fixtures/ (issue 12).
#
# These writers are too heavy for every CI run (LibreOffice, a JDK) — so their output is
# committed, small, and made by this script with the test PKI (`vbsign testpki init`):
#   libreoffice.pdf                LibreOffice Writer export of a Vietnamese document (unsigned:
#                                  the tests certify it, add and fill a field, and sign it)
#   pdfbox-two-signers.pdf         Apache PDFBox 2 + BouncyCastle CMS: person, then agency
#   pdfbox-certified-p2.pdf        PDFBox: agency certifies (DocMDP P2), person signs
#   itext5-two-signers.pdf         iText 5 (adbe.pkcs7.detached, visible): person, then agency
#   itext5-cades-certified.pdf     iText 5: agency certifies (P2, CMS), person signs (CAdES)
#   node-signpdf-two-signers.pdf   node-signpdf 3 (npm @signpdf, node-forge PKCS#7): person, then
#                                  agency; node-forge encodes the SignerInfo's issuer name twice
#                                  in UTF-8 (every Vietnamese CA name mismatches)
# Needs: Debian packages libreoffice-writer-nogui, default-jdk-headless (javac), libpdfbox2-java,
# libbcprov-java, libbcpkix-java, libitext5-java; node + npm (npm registry); the project's .venv. Writes
# tests/writers/fixtures/VERSIONS.txt with the versions used.
#
#   bash scripts/writers/make_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=tests/writers/fixtures
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
J=/usr/share/java
CP="$J/pdfbox2.jar:$J/fontbox2.jar:$J/commons-logging.jar:$J/bcprov.jar:$J/bcpkix.jar:$J/bcutil.jar:$J/itext5.jar"

.venv/bin/vbsign testpki init "$WORK/pki" >/dev/null
PW=vbsign-test
.venv/bin/python -c "from vbsign.testpki.samples import official_document_pdf; open('$WORK/sample.pdf','wb').write(official_document_pdf())"

# ---- LibreOffice: a Vietnamese page exported by Writer (its fonts, xref and structure) ------
cat > "$WORK/bien-ban.html" <<'HTML'
<html><head><meta charset="utf-8"><title>Biên bản</title></head><body>
<h2>BIÊN BẢN BÀN GIAO</h2>
<p>Số: 07/BB-VP — Hà Nội, ngày 01 tháng 12 năm 2026</p>
<p>Bên nhận: Văn phòng Bộ — Trung tâm Công nghệ thông tin.</p>
<p>Các bên thống nhất nội dung bàn giao như trên.</p>
</body></html>
HTML
(cd "$WORK" && soffice --headless --convert-to pdf bien-ban.html >/dev/null 2>&1)
cp "$WORK/bien-ban.pdf" "$OUT/libreoffice.pdf"

# ---- Java writers ------------------------------------------------------------------------------
javac -nowarn -encoding UTF-8 -cp "$CP" -d "$WORK/classes" scripts/writers/JavaSigners.java
run() { java -cp "$CP:$WORK/classes" JavaSigners "$@"; }
P="$WORK/pki"
run pdfbox approval "$WORK/sample.pdf" "$WORK/b1.pdf" "$P/person.p12" $PW
run pdfbox approval "$WORK/b1.pdf" "$OUT/pdfbox-two-signers.pdf" "$P/agency.p12" $PW
run pdfbox certify2 "$WORK/sample.pdf" "$WORK/b2.pdf" "$P/agency.p12" $PW
run pdfbox approval "$WORK/b2.pdf" "$OUT/pdfbox-certified-p2.pdf" "$P/person.p12" $PW
run itext5 approval "$WORK/sample.pdf" "$WORK/i1.pdf" "$P/person.p12" $PW Signature1
run itext5 approval "$WORK/i1.pdf" "$OUT/itext5-two-signers.pdf" "$P/agency.p12" $PW Signature2
run itext5 certify2 "$WORK/sample.pdf" "$WORK/i2.pdf" "$P/agency.p12" $PW Signature1
run itext5 cades "$WORK/i2.pdf" "$OUT/itext5-cades-certified.pdf" "$P/person.p12" $PW Signature2

# ---- node-signpdf (npm @signpdf, node-forge's PKCS#7): person, then agency ----------------
cp scripts/writers/node/package.json scripts/writers/node/sign.js "$WORK/"
(cd "$WORK" && npm install --no-audit --no-fund --silent >/dev/null 2>&1)
node "$WORK/sign.js" "$WORK/sample.pdf" "$WORK/n1.pdf" "$P/person.p12" $PW
node "$WORK/sign.js" "$WORK/n1.pdf" "$OUT/node-signpdf-two-signers.pdf" "$P/agency.p12" $PW

{
  echo "# writer versions used by scripts/writers/make_fixtures.sh"
  echo "generated: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "libreoffice: $(soffice --version 2>/dev/null | head -1)"
  echo "java: $(java -version 2>&1 | head -1)"
  for p in libpdfbox2-java libbcprov-java libbcpkix-java libitext5-java; do
    echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)"
  done
  echo "node: $(node --version); @signpdf/signpdf $(node -p "require('$WORK/node_modules/@signpdf/signpdf/package.json').version"); node-forge $(node -p "require('$WORK/node_modules/node-forge/package.json').version")"
  echo "test PKI: vbsign $(.venv/bin/vbsign --version 2>/dev/null | tail -1)"
} > "$OUT/VERSIONS.txt"
ls -la "$OUT"
