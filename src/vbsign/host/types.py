"""How an agency configures the host bridge: :class:`SendContext` and :class:`ReceiveContext`.

The documents, decisions and outcomes they produce are plain values in
:mod:`vbsign.model.host` (re-exported by :mod:`vbsign.host`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from vbsign._core.files import Source

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.api import Signer
    from vbsign.appearance import AgencyConfig
    from vbsign.appearance.spec import AppearanceProvider
    from vbsign.pki.trust import TrustLike
    from vbsign.pki.validation import Services


@dataclass
class SendContext:
    """How one agency signs and checks its outgoing documents (build once, reuse).

    ``person`` is the competent person's :class:`~vbsign.api.Signer` (personal key),
    ``seal`` the agency's (the clerk's seal key); ``person=None`` means the document
    already carries the person's signature. Verification after signing uses ``trust``
    and ``services`` (default: the seal signer's).
    """

    seal: Signer
    person: Signer | None = None
    #: validation policy for outgoing documents (profile name or policy file); ``None``:
    #: vbsign's default profile when the policy engine is installed
    policy: str | None = None
    trust: TrustLike = None
    services: Services | None = None
    #: the agency's appearance configuration (signature image, seal image and size, font):
    #: the Decree 30/2020 appearances on_send applies by default (:mod:`vbsign.host.appearances`)
    appearance: AgencyConfig | None = None
    #: the competent person's position for the text block (certificates carry no title)
    person_title: str | None = None
    #: ``False``: invisible signatures (e.g. machine-to-machine documents); the outgoing
    #: policy then reports ND30-02/03
    visible: bool = True
    #: the host's own appearances (win over the defaults built from ``appearance``)
    person_appearance: AppearanceProvider | None = None
    seal_appearance: AppearanceProvider | None = None
    #: show the document number and time on attachments (Decree 30 App. I, separate files)
    attachment_appearance: bool = True
    person_field: str | None = None
    seal_field: str | None = None
    person_reason: str = "Phê duyệt văn bản"
    location: str | None = None
    #: the sending agency's name (audit events, evidence)
    unit: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: local copies of CA certification practice statements, by the URL certificates name
    #: (TT 41/2017 Art. 9 cl. 1: kept with the document): ``{url: path or bytes}``
    cps_documents: Mapping[str, Source] = field(default_factory=dict)
    #: the verification clock (default: the seal signer's clock)
    clock: Callable[[], datetime] | None = None
    #: the documents are official documents of a state agency (the ``auto`` policy then
    #: applies the official-use rules); ``None``: the policy's default
    official: bool | None = None


@dataclass
class ReceiveContext:
    """How one agency checks incoming documents (build once, reuse).

    ``tsa`` makes the receipt timestamp (Circular 41/2017 Art. 9 cl. 1 b); without it the
    evidence bundle has no receipt timestamp and the outcome says so. ``metadata`` holds
    labels common to every document (the envelope of one document goes into
    :class:`IncomingDocument`).
    """

    trust: TrustLike = None
    services: Services | None = None
    policy: str | None = None
    tsa: str | TimeStamper | None = None
    #: the receiving agency's name (audit events, evidence)
    unit: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: local copies of CA certification practice statements (see :class:`SendContext`)
    cps_documents: Mapping[str, Source] = field(default_factory=dict)
    clock: Callable[[], datetime] | None = None
    #: "signing" (default, the law's rule) or "now"
    at: str = "signing"
    #: incoming documents are official documents of a state agency (the ``auto`` policy then
    #: applies the official-use rules); ``None``: the policy's default
    official: bool | None = None
