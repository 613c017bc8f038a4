"""Namespaces and algorithm identifiers of XML-DSig (W3C) and XAdES (ETSI EN 319 132-1).

Only identifiers vbsign understands are listed; anything else met in a signature is
reported as unsupported rather than guessed at.
"""

from __future__ import annotations

DS = "http://www.w3.org/2000/09/xmldsig#"
DSIG11 = "http://www.w3.org/2009/xmldsig11#"
DSIG_FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
XADES_OLD = ("http://uri.etsi.org/01903/v1.1.1#", "http://uri.etsi.org/01903/v1.2.2#")
EC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"

NSMAP = {"ds": DS, "xades": XADES, "xades141": XADES141, "dsig11": DSIG11, "dsf2": DSIG_FILTER2}

SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
COUNTERSIGNED_TYPE = "http://uri.etsi.org/01903#CountersignedSignature"
MANIFEST_TYPE = "http://www.w3.org/2000/09/xmldsig#Manifest"

# ---- canonicalisation: uri -> (exclusive, with_comments) -------------------------------------
C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_10_COMMENTS = C14N_10 + "#WithComments"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
C14N_11_COMMENTS = C14N_11 + "#WithComments"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS = EXC_C14N + "WithComments"

C14N_METHODS: dict[str, tuple[bool, bool]] = {
    C14N_10: (False, False),
    C14N_10_COMMENTS: (False, True),
    # C14N 1.1 differs from 1.0 only in the inheritance of xml:id/xml:base, which
    # libxml2 handles identically for the documents vbsign signs and meets in practice
    C14N_11: (False, False),
    C14N_11_COMMENTS: (False, True),
    EXC_C14N: (True, False),
    EXC_C14N_COMMENTS: (True, True),
}

# ---- transforms --------------------------------------------------------------------------------
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
BASE64 = "http://www.w3.org/2000/09/xmldsig#base64"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"

# ---- digests: uri -> hashlib / asn1crypto name ------------------------------------------------
DIGESTS: dict[str, str] = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-224": "sha3_224",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-256": "sha3_256",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-384": "sha3_384",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-512": "sha3_512",
}
DIGEST_URIS: dict[str, str] = {
    "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "sha512": "http://www.w3.org/2001/04/xmlenc#sha512",
    "sha3_256": "http://www.w3.org/2007/05/xmldsig-more#sha3-256",
    "sha3_384": "http://www.w3.org/2007/05/xmldsig-more#sha3-384",
    "sha3_512": "http://www.w3.org/2007/05/xmldsig-more#sha3-512",
}
#: digests known to be broken (never accepted for a TOTAL-PASSED verdict)
WEAK_DIGESTS = frozenset({"sha1", "md5", "ripemd160"})
#: digest URIs that are recognised and computed but never accepted (the verdict refuses them)
REFUSED_DIGESTS: dict[str, str] = {
    "http://www.w3.org/2001/04/xmldsig-more#md5": "md5",
    "http://www.w3.org/2001/04/xmlenc#ripemd160": "ripemd160",
}

# ---- signature methods: uri -> (key algorithm, padding, digest) -----------------------------
SIGNATURE_METHODS: dict[str, tuple[str, str, str]] = {
    # verified like any other, then refused by the verdict (MD5 is broken): a wrong value
    # is TOTAL-FAILED, a right one INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE
    "http://www.w3.org/2001/04/xmldsig-more#rsa-md5": ("rsa", "pkcs1v15", "md5"),
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": ("rsa", "pkcs1v15", "sha1"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224": ("rsa", "pkcs1v15", "sha224"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", "pkcs1v15", "sha256"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", "pkcs1v15", "sha384"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", "pkcs1v15", "sha512"),
    "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1": ("rsa", "pss", "sha1"),
    "http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1": ("rsa", "pss", "sha224"),
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": ("rsa", "pss", "sha256"),
    "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": ("rsa", "pss", "sha384"),
    "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": ("rsa", "pss", "sha512"),
    "http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1": ("rsa", "pss", "sha3_256"),
    "http://www.w3.org/2007/05/xmldsig-more#sha3-384-rsa-MGF1": ("rsa", "pss", "sha3_384"),
    "http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa-MGF1": ("rsa", "pss", "sha3_512"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1": ("ec", "", "sha1"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224": ("ec", "", "sha224"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", "", "sha256"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", "", "sha384"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ec", "", "sha512"),
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1": ("dsa", "", "sha1"),
    "http://www.w3.org/2009/xmldsig11#dsa-sha256": ("dsa", "", "sha256"),
}
RSA_SIGNATURE_URIS: dict[str, str] = {
    "sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
}
RSA_PSS_SIGNATURE_URIS: dict[str, str] = {
    "sha256": "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    "sha384": "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
    "sha512": "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
}
ECDSA_SIGNATURE_URIS: dict[str, str] = {
    "sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "sha512": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
}
#: CMS/X.509 OIDs of the signature methods (recorded in reports for the policy rules)
SIGNATURE_METHOD_OIDS: dict[str, str] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-md5": "1.2.840.113549.1.1.4",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "1.2.840.113549.1.1.5",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224": "1.2.840.113549.1.1.14",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "1.2.840.113549.1.1.11",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": "1.2.840.113549.1.1.12",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "1.2.840.113549.1.1.13",
    **{uri: "1.2.840.113549.1.1.10" for uri, (k, p, _) in SIGNATURE_METHODS.items() if p == "pss"},
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1": "1.2.840.10045.4.1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224": "1.2.840.10045.4.3.1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": "1.2.840.10045.4.3.2",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": "1.2.840.10045.4.3.3",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": "1.2.840.10045.4.3.4",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1": "1.2.840.10040.4.3",
    "http://www.w3.org/2009/xmldsig11#dsa-sha256": "2.16.840.1.101.3.4.3.2",
}
#: XAdES property -> the equivalent CMS attribute name, so that policy rules written for
#: CMS attributes (TT15-01, TT15-05 ...) read XAdES signatures the same way
XADES_PROPERTY_NAMES: dict[str, str] = {
    "SigningTime": "signing_time",
    "SigningCertificateV2": "signing_certificate_v2",
    "SigningCertificate": "signing_certificate",
    "SignerRoleV2": "signer_attributes_v2",
    "SignerRole": "signer_attributes",
    "CommitmentTypeIndication": "commitment_type",
    "SignaturePolicyIdentifier": "signature_policy_identifier",
    "SignatureProductionPlaceV2": "signature_production_place",
    "SignatureProductionPlace": "signature_production_place",
    "DataObjectFormat": "data_object_format",
    "AllDataObjectsTimeStamp": "content_time_stamp",
    "IndividualDataObjectsTimeStamp": "content_time_stamp",
    "SignatureTimeStamp": "signature_time_stamp_token",
    "CertificateValues": "certificate_values",
    "RevocationValues": "revocation_values",
    "CompleteCertificateRefs": "complete_certificate_references",
    "CompleteRevocationRefs": "complete_revocation_references",
    "SigAndRefsTimeStamp": "sig_and_refs_time_stamp",
    "ArchiveTimeStamp": "archive_time_stamp",
    "CounterSignature": "counter_signature",
}
HMAC_PREFIXES = ("http://www.w3.org/2000/09/xmldsig#hmac-", "http://www.w3.org/2001/04/xmldsig-more#hmac-")


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def xades(tag: str) -> str:
    return f"{{{XADES}}}{tag}"
