"""Typed errors. Every error carries its message in Vietnamese and English.

The hierarchy is deliberately small; callers catch :class:`VbsignError` for "anything
vbsign refused", or a subclass for a specific decision. ``str(err)`` gives both languages
(Vietnamese first) so that logs are readable by everyone; :meth:`VbsignError.message`
gives one language.

Secrets (PINs, passphrases) are never part of a message: code building these errors must
not interpolate them (they are held as :class:`vbsign._core.secrets.Secret`, whose ``repr``/``str``
hide the value), and tests capture every log record and CLI output to search for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from vbsign._core.i18n import Lang, Msg, current_lang


class VbsignError(Exception):
    """Base class of every error vbsign raises on purpose."""

    code: ClassVar[str] = "VBSIGN_ERROR"
    #: why it happens / vì sao
    cause: ClassVar[Msg] = Msg('Lỗi chung của vbsign.', 'Any error vbsign raises on purpose.')
    #: what to do / cách xử lý
    remedy: ClassVar[Msg] = Msg('Đọc thông báo kèm theo; mã cụ thể hơn nằm ở các dòng dưới.', 'Read the message; the more specific codes below say more.')
    #: CLI exit code (3 = bad input or usage, see ``vbsign --help``)
    exit_code: ClassVar[int] = 3

    def __init__(self, msg: Msg, *, details: Mapping[str, Any] | None = None) -> None:
        self.msg = msg
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(f"{msg.vi} / {msg.en}")

    @property
    def message_vi(self) -> str:
        return self.msg.vi

    @property
    def message_en(self) -> str:
        return self.msg.en

    def message(self, lang: Lang | None = None) -> str:
        return self.msg.get(lang or current_lang())

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (a host may move errors between processes, e.g. a process pool)."""
        return (_restore, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_vi": self.msg.vi,
            "message_en": self.msg.en,
            "details": self.details,
        }


def _restore(cls: type[VbsignError], state: dict[str, Any]) -> VbsignError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, f"{err.msg.vi} / {err.msg.en}")
    return err


class InputError(VbsignError):
    """The input (file, argument, option) cannot be used."""

    code = "INPUT_ERROR"
    #: why it happens / vì sao
    cause = Msg('Tệp, tham số hoặc tùy chọn không dùng được (không có tệp, sai mật khẩu tệp khóa, tệp hỏng…).', 'A file, argument or option cannot be used (missing file, wrong key passphrase, damaged file…).')
    #: what to do / cách xử lý
    remedy = Msg('Kiểm tra đường dẫn, tùy chọn và mật khẩu theo thông báo; chạy lại lệnh.', 'Check the path, options and passphrase the message names; run the command again.')


class StorageFullError(InputError):
    """An output could not be written because the disk (or the quota, or the file-size
    limit) is full; nothing partial was left. A batch stops here: every next file would
    fail the same way."""

    code = "STORAGE_FULL"
    #: why it happens / vì sao
    cause = Msg('Ổ đĩa (hoặc hạn mức) đầy khi ghi tệp kết quả; không để lại tệp dở.', 'The disk (or quota, or file-size limit) is full; no partial file was left.')
    #: what to do / cách xử lý
    remedy = Msg('Giải phóng dung lượng hoặc ghi ra thư mục khác, rồi chạy lại (lô ký dừng ở tệp này).', 'Free space or write elsewhere, then run again (a batch stops at this file).')


class UnsupportedFormatError(InputError):
    """The file is in no format vbsign reads (or its name promises one its content is not)."""

    code = "UNSUPPORTED_FORMAT"
    #: why it happens / vì sao
    cause = Msg('Tệp không phải định dạng vbsign đọc được (hoặc đuôi .pdf nhưng nội dung không phải PDF).', 'The file is not in a format vbsign reads (or named .pdf but not a PDF).')
    #: what to do / cách xử lý
    remedy = Msg('Kiểm tra lại tệp; ký tệp bất kỳ dưới dạng CAdES bằng --format cades.', 'Check the file; sign an arbitrary file as CAdES with --format cades.')


class PasswordRequired(InputError):
    """An encrypted PDF whose user password is needed (none given, or a wrong one).

    Never a verdict: nothing about the signatures is known until the file is opened."""

    code = "PDF_PASSWORD_REQUIRED"
    #: why it happens / vì sao
    cause = Msg('PDF được mã hoá cần mật khẩu mở (không có hoặc sai).', 'An encrypted PDF needs its user password (none given or wrong).')
    #: what to do / cách xử lý
    remedy = Msg('Đưa mật khẩu qua biến môi trường: --password-env TEN_BIEN.', 'Give the password through an environment variable: --password-env VAR.')


class ConfigurationError(VbsignError):
    """A configuration file or setting is invalid."""

    code = "CONFIGURATION_ERROR"
    #: why it happens / vì sao
    cause = Msg('Tệp cấu hình hoặc thiết lập không hợp lệ.', 'A configuration file or setting is invalid.')
    #: what to do / cách xử lý
    remedy = Msg('Sửa dòng/khóa mà thông báo nêu trong tệp cấu hình.', 'Fix the line/key the message names in the configuration.')


class KeyAccessError(VbsignError):
    """The signing key cannot be opened (wrong passphrase, missing key, token absent...)."""

    code = "KEY_ACCESS_ERROR"
    #: why it happens / vì sao
    cause = Msg('Không mở được khóa ký (sai mật khẩu, thiếu khóa, không có token…).', 'The signing key cannot be opened (wrong passphrase, missing key, no token…).')
    #: what to do / cách xử lý
    remedy = Msg('Kiểm tra tệp khóa và mật khẩu (--passphrase-env), hoặc cắm token.', 'Check the key file and passphrase (--passphrase-env), or plug the token in.')


class CertificateRejected(VbsignError):
    """The signer's certificate failed the pre-signing check; nothing was signed."""

    code = "CERTIFICATE_REJECTED"
    #: why it happens / vì sao
    cause = Msg('Chứng thư của người ký không qua kiểm tra trước khi ký (hết hạn, bị thu hồi, không đến được gốc tin cậy, sai mục đích, khóa yếu); không ký gì.', "The signer's certificate failed the pre-signing check (expired, revoked, untrusted chain, wrong key usage, weak key); nothing signed.")
    #: what to do / cách xử lý
    remedy = Msg('Xem các lý do in ra; thêm --trust/--chain nếu thiếu gốc/trung gian; chứng thư hết hạn hoặc bị thu hồi thì làm yêu cầu cấp mới/gia hạn.', 'Read the listed reasons; add --trust/--chain for a missing anchor/intermediate; renew or replace an expired or revoked certificate.')

    def __init__(
        self, msg: Msg, *, reasons: list[Msg] | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        self.reasons = list(reasons or [])
        super().__init__(msg, details=details)


class SigningError(VbsignError):
    """Signing failed after the inputs were accepted; no output was written."""

    code = "SIGNING_ERROR"
    #: why it happens / vì sao
    cause = Msg('Ký thất bại sau khi đầu vào đã được chấp nhận; không ghi tệp.', 'Signing failed after the inputs were accepted; nothing written.')
    #: what to do / cách xử lý
    remedy = Msg('Đọc thông báo (dấu thời gian, trường chữ ký…); chạy lại, báo cán bộ CNTT nếu lặp lại.', 'Read the message (timestamp, field…); run again, report to IT if it repeats.')


class SessionRejected(SigningError):
    """Two-step signing: ``complete`` refused a session or a signature value (a signature by
    another key or over other bytes, a session past its time limit, a tampered session,
    another prepared document). ``details["reason"]`` names the problem; nothing was written."""

    code = "SESSION_REJECTED"
    #: why it happens / vì sao
    cause = Msg('Giá trị chữ ký không khớp phiên ký hai bước: ký bằng khóa khác, ký trên dữ liệu khác, phiên đã quá hạn, bị sửa hoặc tài liệu đã chuẩn bị bị thay.', 'The signature value does not match the two-step session: another key, other bytes, a session past its time limit, a tampered session or a replaced prepared document.')
    #: what to do / cách xử lý
    remedy = Msg('Xem lý do (details.reason); ký lại tệp .tbs của đúng phiên bằng đúng khóa, hoặc chuẩn bị (prepare) lại nếu phiên đã hết hạn.', 'Read the reason (details.reason); sign the session\'s .tbs with the right key, or prepare again if the session expired.')


class ServiceError(VbsignError):
    """A network service (TSA, OCSP, CRL) failed or timed out."""

    code = "SERVICE_ERROR"
    #: why it happens / vì sao
    cause = Msg('Dịch vụ mạng (TSA, OCSP, CRL) lỗi hoặc quá thời gian.', 'A network service (TSA, OCSP, CRL) failed or timed out.')
    #: what to do / cách xử lý
    remedy = Msg('Kiểm tra kết nối mạng/proxy đến địa chỉ nêu trong thông báo; tăng --timeout; thử lại sau.', 'Check the network/proxy to the named URL; raise --timeout; try later.')


class VerificationError(VbsignError):
    """Verification could not run at all (as opposed to a verdict of failure)."""

    code = "VERIFICATION_ERROR"
    #: why it happens / vì sao
    cause = Msg('Không thực hiện được việc kiểm tra (khác với kết luận không hợp lệ).', 'Verification could not run at all (not a verdict).')
    #: what to do / cách xử lý
    remedy = Msg('Tệp hỏng hoặc không có chữ ký nhận biết được: xin bên gửi gửi lại.', 'The file is damaged or has no recognisable signature: ask the sender again.')


class ResourceLimitExceeded(VerificationError):
    """Processing the input exceeded its time or memory budget."""

    code = "RESOURCE_LIMIT"
    #: why it happens / vì sao
    cause = Msg('Kiểm tra tệp vượt giới hạn thời gian hoặc bộ nhớ (chống tệp độc hại).', 'Verifying the file exceeded its time or memory budget (hostile-file guard).')
    #: what to do / cách xử lý
    remedy = Msg('Với tệp rất lớn hợp lệ: tăng --max-seconds/--max-memory; nếu không, coi là tệp đáng ngờ.', 'For a genuinely large file raise --max-seconds/--max-memory; otherwise treat it as suspicious.')


class DecryptionError(VbsignError):
    """An encrypted message (S/MIME) cannot be decrypted with the given key."""

    code = "DECRYPTION_ERROR"
    #: why it happens / vì sao
    cause = Msg('Không giải mã được thư S/MIME bằng khóa đã cho.', 'The S/MIME message cannot be decrypted with the given key.')
    #: what to do / cách xử lý
    remedy = Msg('Dùng khóa của đúng người nhận (chứng thư mà thư được mã hoá cho).', 'Use the key of the recipient the message was encrypted for.')


class PolicyError(VbsignError):
    """A validation policy cannot be loaded or applied."""

    code = "POLICY_ERROR"
    #: why it happens / vì sao
    cause = Msg('Không nạp hoặc áp dụng được chính sách thẩm định (tệp TOML sai, hồ sơ không có).', 'A validation policy cannot be loaded or applied (bad TOML, unknown profile).')
    #: what to do / cách xử lý
    remedy = Msg('vbsign policy list để xem tên hồ sơ; sửa khóa/dòng mà thông báo nêu trong tệp chính sách.', 'vbsign policy list for profile names; fix the key/line named in the policy file.')


class PluginError(VbsignError):
    """A plugin failed to load or raised inside a hook."""

    code = "PLUGIN_ERROR"
    #: why it happens / vì sao
    cause = Msg('Trình cắm không nạp được hoặc lỗi trong hook.', 'A plugin failed to load or raised inside a hook.')
    #: what to do / cách xử lý
    remedy = Msg('vbsign plugins list --strict để xem trình cắm lỗi; cập nhật hoặc gỡ nó.', 'vbsign plugins list --strict names it; update or uninstall it.')


def short_reason(e: object, limit: int = 200) -> str:
    """An exception (or any object) as a one-line reason for a message, at most ``limit`` chars."""
    text = str(e) or type(e).__name__
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = [
    "CertificateRejected",
    "ConfigurationError",
    "DecryptionError",
    "InputError",
    "KeyAccessError",
    "PasswordRequired",
    "PluginError",
    "PolicyError",
    "ResourceLimitExceeded",
    "ServiceError",
    "SessionRejected",
    "SigningError",
    "StorageFullError",
    "UnsupportedFormatError",
    "VbsignError",
    "VerificationError",
    "short_reason",
]

# Users catch these as ``vbsign.errors.X`` (the public module): tracebacks, reprs and
# pickles name that path, not this private one.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "vbsign.errors"
del _name, _obj
