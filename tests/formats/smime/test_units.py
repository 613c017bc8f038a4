"""Small pieces: OAEP decoding, the raw MIME locator, address-list folding, backend seams."""

from __future__ import annotations

import asyncio
import os
from email.utils import getaddresses
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vbsign._core.errors import KeyAccessError
from vbsign.backends.base import KeyTransport, SigningKey
from vbsign.backends.oaep import oaep_decode
from vbsign.formats.smime.mime import encoded_address_list
from vbsign.formats.smime.raw import multipart_parts, parse_entity, to_crlf


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


@pytest.mark.parametrize(("h", "label"), [("sha256", None), ("sha1", None), ("sha384", b"nh\xc3\xa3n")])
def test_oaep_decode_matches_cryptography(rsa_key: rsa.RSAPrivateKey, h: str, label: bytes | None) -> None:
    algo = {"sha256": hashes.SHA256(), "sha1": hashes.SHA1(), "sha384": hashes.SHA384()}[h]
    message = os.urandom(32)
    ct = rsa_key.public_key().encrypt(message, padding.OAEP(mgf=padding.MGF1(algo), algorithm=algo, label=label))
    n = rsa_key.private_numbers()
    raw = pow(int.from_bytes(ct, "big"), n.d, n.public_numbers.n).to_bytes(256, "big")  # what CKM_RSA_X_509 returns
    assert oaep_decode(raw.lstrip(b"\x00"), 256, h, h, label) == message
    with pytest.raises(ValueError):
        oaep_decode(raw, 256, h, h, b"other label")
    with pytest.raises(ValueError):
        oaep_decode(bytes([raw[0] ^ 1]) + raw[1:], 256, h, h, label)


def test_multipart_locator_follows_rfc_2046() -> None:
    body = b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b  \r\n\r\ntwo--b not a delimiter\r\n--bb\r\n--b--\r\nepilogue"
    spans, closed = multipart_parts(body, "b")
    assert closed and [body[s:e] for s, e in spans] == [b"Content-Type: text/plain\r\n\r\none", b"\r\ntwo--b not a delimiter\r\n--bb"]
    top = parse_entity(b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + body)
    assert [c.path for c in top.children] == ["1", "2"] and top.children[1].header == b""
    open_ended = parse_entity(b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\ncut')
    assert open_ended.unterminated and open_ended.children[0].body == b"cut"
    assert to_crlf(b"a\nb\r\nc\rd") == b"a\r\nb\r\nc\r\nd"


def test_nesting_is_bounded() -> None:
    from vbsign._core.errors import InputError

    data = b""
    for i in range(40):
        data = f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode() + data + f"\r\n--b{i}--".encode()
    with pytest.raises(InputError):
        parse_entity(data)


def test_address_lists_are_folded_between_addresses() -> None:
    value = ", ".join([f"Nguyễn Văn Người Nhận Thứ {i} <n{i}@bkhcn.vbsign.test>" for i in range(5)]
                      + ['"Phòng, Ban" <pb@x.test>', "plain@x.test"])  # fmt: skip
    folded = encoded_address_list(value, "To")
    assert folded is not None and folded.isascii()
    lines = folded.split("\n")
    assert len("To: " + lines[0]) <= 78 and all(len(line) <= 78 and not line.endswith(" ") for line in lines)
    from email.header import decode_header, make_header

    decoded = str(make_header(decode_header(folded.replace("\n", ""))))
    assert [a for _, a in getaddresses([decoded])][-2:] == ["pb@x.test", "plain@x.test"]
    assert encoded_address_list("Nhóm: a@b.test, c@d.test;") is None  # group syntax left to email


def test_a_signing_only_backend_refuses_to_decrypt(pki: Any) -> None:
    class RemoteOnly(SigningKey):
        label = "remote"

        @property
        def certificate(self) -> Any:
            return pki.cert("mail-person")

        def pyhanko_signer(self, *, prefer_pss: bool = False) -> Any:
            raise NotImplementedError

    with pytest.raises(KeyAccessError) as e:
        asyncio.run(RemoteOnly().async_decrypt(b"x", KeyTransport()))
    assert "remote" in e.value.message("en")


def test_header_fields_cpython_cannot_parse_do_not_crash(verify_mail: Any) -> None:
    """CPython's header parser raises IndexError on some malformed parameter lists (found by
    scripts/fuzz_mail.py); verification must still give a verdict."""
    disposition = b"Content-Disposition: attachment;\r\n {\xaa+\x9b\xd9\xd0n\x1f\x8fh\xbb\xc68*\r\x14,-Z\x84k\r\xf6filename*0*=utf-8''Quy%E1%BA%BFt;\r\n filename*1*=.pdf\r\n"
    message = (b'From: a@b.test\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n'
               b"--b\r\nContent-Type: application/pdf\r\n" + disposition + b"\r\nJVBERi0=\r\n--b--\r\n")  # fmt: skip
    rep = verify_mail(message).report
    assert rep.indication.value == "NO_SIGNATURE_FOUND" and len(rep.attachments) == 2
