// Sign PDFs the way Java applications do (issue 12 writer fixtures): Apache PDFBox 2 with
// BouncyCastle, and iText 5. Built and run by scripts/writers/make_fixtures.sh; the outputs are
// committed under tests/writers/fixtures/ (the machine's javac and Debian's jars are only
// needed to regenerate them).
//
// usage: java JavaSigners TOOL MODE IN OUT P12 PASSWORD [FIELD]
//   TOOL = pdfbox | itext5
//   MODE = approval | certify2   (pdfbox: invisible; itext5: visible, FIELD names it)
//          cades                 (itext5 only: ETSI.CAdES.detached)
import java.io.*;
import java.security.*;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.*;

import org.apache.pdfbox.cos.*;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.*;
import org.apache.pdfbox.io.IOUtils;

import org.bouncycastle.asn1.*;
import org.bouncycastle.asn1.cms.*;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.*;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public class JavaSigners {
    // the fixed signing time of every fixture: T0 of the test-suite (2026-12-01T03:00:00Z)
    static final long SIGNING_TIME = 1796094000000L;

    public static void main(String[] a) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(a[4])) { ks.load(in, a[5].toCharArray()); }
        String alias = ks.aliases().nextElement();
        PrivateKey key = (PrivateKey) ks.getKey(alias, a[5].toCharArray());
        Certificate[] chain = ks.getCertificateChain(alias);
        String field = a.length > 6 ? a[6] : "Signature1";
        if (a[0].equals("pdfbox")) {
            pdfbox(a[1], new File(a[2]), new File(a[3]), key, chain);
        } else {
            itext5(a[1], a[2], a[3], key, chain, field);
        }
    }

    static Calendar when() {
        Calendar cal = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        cal.setTimeInMillis(SIGNING_TIME);
        return cal;
    }

    // ---- PDFBox 2 + BouncyCastle CMS (as PDFBox's CreateSignature example) -------------------
    static void pdfbox(String mode, File in, File out, PrivateKey key, Certificate[] chain) throws Exception {
        try (PDDocument doc = PDDocument.load(in); FileOutputStream os = new FileOutputStream(out)) {
            PDSignature sig = new PDSignature();
            sig.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
            sig.setSubFilter(PDSignature.SUBFILTER_ADBE_PKCS7_DETACHED);
            sig.setName("PDFBox signer");
            sig.setLocation("Ha Noi");
            sig.setReason("Phe duyet");
            sig.setSignDate(when());
            if (mode.equals("certify2")) setMDPPermission(doc, sig, 2);
            SignatureOptions options = new SignatureOptions();
            options.setPreferredSignatureSize(SignatureOptions.DEFAULT_SIGNATURE_SIZE * 2);
            doc.addSignature(sig, content -> cms(IOUtils.toByteArray(content), key, chain), options);
            doc.saveIncremental(os);
        }
    }

    static byte[] cms(byte[] content, PrivateKey key, Certificate[] chain) {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            ContentSigner signer = new JcaContentSignerBuilder("SHA256WithRSA").build(key);
            // a fixed signingTime attribute: BouncyCastle would otherwise put the wall clock there
            AttributeTable attrs = new AttributeTable(new Attribute(
                CMSAttributes.signingTime, new DERSet(new Time(new Date(SIGNING_TIME)))));
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().build())
                .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(attrs))
                .build(signer, (X509Certificate) chain[0]));
            gen.addCertificates(new JcaCertStore(Arrays.asList(chain)));
            return gen.generate(new CMSProcessableByteArray(content), false).getEncoded();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    // PDFBox's SigUtils.setMDPPermission (examples), reduced: DocMDP transform + /Perms
    static void setMDPPermission(PDDocument doc, PDSignature signature, int p) {
        COSDictionary sigDict = signature.getCOSObject();
        COSDictionary params = new COSDictionary();
        params.setItem(COSName.TYPE, COSName.getPDFName("TransformParams"));
        params.setInt(COSName.P, p);
        params.setName(COSName.V, "1.2");
        params.setNeedToBeUpdated(true);
        COSDictionary ref = new COSDictionary();
        ref.setItem(COSName.TYPE, COSName.getPDFName("SigRef"));
        ref.setItem("TransformMethod", COSName.DOCMDP);
        ref.setItem("DigestMethod", COSName.getPDFName("SHA1"));
        ref.setItem("TransformParams", params);
        ref.setNeedToBeUpdated(true);
        COSArray refs = new COSArray();
        refs.add(ref);
        refs.setNeedToBeUpdated(true);
        sigDict.setItem("Reference", refs);
        COSDictionary perms = new COSDictionary();
        perms.setItem(COSName.DOCMDP, signature);
        perms.setNeedToBeUpdated(true);
        COSDictionary catalog = doc.getDocumentCatalog().getCOSObject();
        catalog.setItem(COSName.PERMS, perms);
        catalog.setNeedToBeUpdated(true);
    }

    // ---- iText 5 (MakeSignature.signDetached, visible widget with iText's text appearance) --
    static void itext5(String mode, String in, String out, PrivateKey key, Certificate[] chain, String field)
            throws Exception {
        com.itextpdf.text.pdf.PdfReader reader = new com.itextpdf.text.pdf.PdfReader(in);
        try (FileOutputStream os = new FileOutputStream(out)) {
            com.itextpdf.text.pdf.PdfStamper stamper =
                com.itextpdf.text.pdf.PdfStamper.createSignature(reader, os, '\0', null, true);
            com.itextpdf.text.pdf.PdfSignatureAppearance app = stamper.getSignatureAppearance();
            app.setReason("Phe duyet");
            app.setLocation("Ha Noi");
            app.setSignDate(when());
            boolean second = reader.getAcroFields().getSignatureNames().size() > 0;
            com.itextpdf.text.Rectangle box = second
                ? new com.itextpdf.text.Rectangle(60, 40, 200, 90)
                : new com.itextpdf.text.Rectangle(330, 60, 540, 84);
            app.setVisibleSignature(box, 1, field);
            if (mode.equals("certify2")) {
                app.setCertificationLevel(com.itextpdf.text.pdf.PdfSignatureAppearance.CERTIFIED_FORM_FILLING);
            }
            com.itextpdf.text.pdf.security.ExternalDigest digest =
                new com.itextpdf.text.pdf.security.BouncyCastleDigest();
            com.itextpdf.text.pdf.security.ExternalSignature es =
                new com.itextpdf.text.pdf.security.PrivateKeySignature(key, "SHA-256", "BC");
            com.itextpdf.text.pdf.security.MakeSignature.CryptoStandard std = mode.equals("cades")
                ? com.itextpdf.text.pdf.security.MakeSignature.CryptoStandard.CADES
                : com.itextpdf.text.pdf.security.MakeSignature.CryptoStandard.CMS;
            com.itextpdf.text.pdf.security.MakeSignature.signDetached(app, digest, es, chain, null, null, null, 0, std);
        }
    }
}
