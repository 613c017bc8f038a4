"""The portal at ``/`` in a real headless Chromium (Debian ``chromium`` + ``chromium-driver``,
driven by Selenium): a clerk uploads the demo's signed file and reads "HỢP LỆ", then a
tampered copy and reads "KHÔNG HỢP LỆ" with the reason; the full report shows in the page.

Skipped only when Chromium is not installed here; ``.ci/run`` sets ``VBSIGN_CI=1`` and
installs it (``scripts/setup.sh``), so in CI a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.conftest import LiveServer

pytestmark = pytest.mark.browser


def _missing(reason: str) -> None:
    if os.environ.get("VBSIGN_CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: scripts/setup.sh installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        _missing("Chromium not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium not installed (pip install -e .[test])")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1400", "--lang=vi"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _newest(driver: Any, count: int) -> Any:
    """The newest result card, once there are ``count`` cards and its verdict and full
    report show."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def done(d: Any) -> Any:
        cards = d.find_elements(By.CSS_SELECTOR, "#results > li.result")
        if len(cards) == count and cards[0].find_elements(By.CSS_SELECTOR, ".verdict") and cards[0].find_elements(By.TAG_NAME, "iframe"):
            return cards[0]
        return None

    return WebDriverWait(driver, 60, poll_frequency=0.1).until(done)


def test_portal_signed_and_tampered(browser: Any, live: LiveServer, demo: Path, tampered: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(live.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kiểm tra chữ ký số văn bản điện tử"
    upload = browser.find_element(By.ID, "files")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=files]").text  # the input is labelled

    upload.send_keys(str(demo / "signed.pdf"))
    card = _newest(browser, 1)
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text == "HỢP LỆ"
    assert card.find_element(By.CSS_SELECTOR, ".code").text == "TOTAL-PASSED"
    assert len(card.find_elements(By.CSS_SELECTOR, ".signers li")) == 2
    assert {b.text for b in card.find_elements(By.CSS_SELECTOR, ".actions button")} >= {"In báo cáo", "Tải báo cáo PDF"}
    frame = card.find_element(By.TAG_NAME, "iframe")
    browser.switch_to.frame(frame)
    assert "Báo cáo kiểm tra chữ ký số" in browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()

    upload.send_keys(str(tampered))
    card = _newest(browser, 2)
    assert card.find_element(By.TAG_NAME, "h3").text == "tampered.pdf"
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text == "KHÔNG HỢP LỆ"
    reasons = [li.text for li in card.find_elements(By.CSS_SELECTOR, ".reasons li")]
    assert reasons and any("băm" in r for r in reasons), reasons  # the hash does not match
    assert "tone-invalid" in (card.get_attribute("class") or "")

    shot = tmp_path / "portal.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    keep = os.environ.get("VBSIGN_PORTAL_SCREENSHOT")  # the guides' picture: docs/_static/portal.png
    if keep:
        shutil.copyfile(shot, keep)


def test_portal_refuses_a_non_signature_file_in_words(browser: Any, live: LiveServer, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    note = tmp_path / "ghi-chú.txt"
    note.write_text("không phải văn bản ký số", "utf-8")
    browser.get(live.url + "/")
    browser.find_element(By.ID, "files").send_keys(str(note))

    def error_card(d: Any) -> Any:
        cards = d.find_elements(By.CSS_SELECTOR, "#results > li.result.tone-error")
        return cards[0] if cards else None

    card = WebDriverWait(browser, 30, poll_frequency=0.1).until(error_card)
    status = card.find_element(By.CSS_SELECTOR, ".status").text
    assert status.startswith("Không kiểm tra được tệp") and "Không nhận ra định dạng" in status


def test_portal_sends_a_detached_signature_with_its_content(browser: Any, live: LiveServer, cades_pair: tuple[Path, Path], demo: Path) -> None:
    """Both files chosen at once: one check, the ``.p7s`` with its content file."""
    from selenium.webdriver.common.by import By

    import vbsign
    from vbsign.model.report import INDICATION_TEXT
    from vbsign.pki.validation import Services

    signature, content = cades_pair
    expected = vbsign.verify(signature, trust=[demo / "pki" / "roots.pem"], services=Services(online=False), content=content).indication
    browser.get(live.url + "/")
    browser.find_element(By.ID, "files").send_keys(f"{content}\n{signature}")
    card = _newest(browser, 1)
    assert card.find_element(By.TAG_NAME, "h3").text == f"{signature.name} (kèm nội dung: {content.name})"
    assert card.find_element(By.CSS_SELECTOR, ".verdict").text == INDICATION_TEXT[expected].vi
    assert card.find_element(By.CSS_SELECTOR, ".signers li").text.endswith("Nguyễn Văn A")
