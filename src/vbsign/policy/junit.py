"""JUnit XML for CI systems: one test suite per file, one test case per file × rule result.

* a FAIL-level rule not met → ``<failure>`` (one test case per failing rule and signature);
* a FAIL-level rule that could not be decided → ``<error>``;
* verification itself failing (TOTAL-FAILED, no signature, unreadable file) → a
  ``verification`` test case with ``<failure>`` / ``<error>``;
* not applicable → ``<skipped>``; WARN/INFORM outcomes pass, their message in ``<system-out>``.

GitLab, Jenkins, Azure DevOps and GitHub test reporters show these natively.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from vbsign._core.i18n import Lang, current_lang
from vbsign.model.report import Indication
from vbsign.policy.model import Level, RuleStatus
from vbsign.policy.result import ComplianceReport


@dataclass(frozen=True)
class FileError:
    """A file that could not be validated at all (bad input, unreadable policy…)."""

    name: str
    code: str
    message: str


def to_junit_xml(items: Iterable[ComplianceReport | FileError], lang: Lang | None = None) -> bytes:
    lang = lang or current_lang()
    root = ET.Element("testsuites", name="vbsign validate")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for item in items:
        if isinstance(item, FileError):
            suite = ET.SubElement(root, "testsuite", name=item.name)
            case = ET.SubElement(suite, "testcase", classname=item.name, name="load")
            err = ET.SubElement(case, "error", type=item.code, message=item.message)
            err.text = item.message
            counts = {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
        else:
            suite, counts = _suite(root, item, lang)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def _suite(root: ET.Element, rep: ComplianceReport, lang: Lang) -> tuple[ET.Element, dict[str, int]]:
    name = rep.verification.document.name
    suite = ET.SubElement(root, "testsuite", name=f"{name} [{rep.policy}]")
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("policy", rep.policy),
        ("profile", rep.profile),
        ("status", rep.status.value),
        ("indication", rep.indication.value),
        ("sub_indication", rep.sub_indication.value if rep.sub_indication else ""),
        ("document_sha256", rep.verification.document.sha256),
    ):
        ET.SubElement(props, "property", name=key, value=value)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    v = rep.verification
    case = ET.SubElement(suite, "testcase", classname=name, name="verification")
    counts["tests"] += 1
    if v.indication in (Indication.TOTAL_FAILED, Indication.NO_SIGNATURE_FOUND):
        f = ET.SubElement(case, "failure", type=v.indication.value, message=v.summary(lang))
        f.text = "\n".join(x.message(lang) for s in v.signatures for x in s.findings) or v.summary(lang)
        counts["failures"] += 1
    elif v.indication is Indication.INDETERMINATE:
        e = ET.SubElement(case, "error", type=v.sub_indication.value if v.sub_indication else "INDETERMINATE", message=v.summary(lang))
        e.text = v.summary(lang)
        counts["errors"] += 1

    for r in rep.results:
        who = f" [{r.signature_id}]" if r.signature_id else ""
        case = ET.SubElement(suite, "testcase", classname=f"{name}.{r.phase}", name=f"{r.rule_id}{who}")
        counts["tests"] += 1
        msg = r.message(lang)
        detail = f"{msg}\n{r.citation(lang)}"
        if r.status is RuleStatus.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", message=msg)
            counts["skipped"] += 1
        elif r.blocking and r.status is RuleStatus.FAILED:
            f = ET.SubElement(case, "failure", type=r.sub_indication.value if r.sub_indication else "FAILED", message=msg)
            f.text = detail
            counts["failures"] += 1
        elif r.blocking:
            e = ET.SubElement(case, "error", type=r.sub_indication.value if r.sub_indication else "INDETERMINATE", message=msg)
            e.text = detail
            counts["errors"] += 1
        elif r.status is not RuleStatus.PASSED and r.effective_level in (Level.WARN, Level.INFORM):
            out = ET.SubElement(case, "system-out")
            out.text = f"{r.effective_level.value}: {detail}"
    return suite, counts
