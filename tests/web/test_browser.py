"""The couple's pages in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`) driven
with Selenium against the real app served on a loopback port, texts sent by the real dispatcher through the
twilio client to the loopback Twilio fake (devkit/fakes/twilio_api.py), whose recorded bodies give the code.

Without Chromium these tests are skipped with the reason (.ci/run installs it). With SCREENSHOTS_DIR set
they save a screenshot of each page there (docs/screenshots/ was made so; docs/web.md says how)."""
import os
import re
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from core.db import transaction
from core.runtime import open_runtime
from core.services.dispatch import Dispatcher
from devkit.fakes.twilio_api import FakeTwilio
from devkit.seeding import seed_couple
from sms.gateway import gateway_for
from tests.conftest import ALEX, SAM, make_settings
from tests.web.conftest import OTHER_A, OTHER_B

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
OUR_NUMBER = "+14155550199"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install --require-hashes -r requirements-dev.txt)"
    for path, package in ((CHROMIUM, "chromium"), (DRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} not found: apt-get install {package} (Debian) to run the browser tests"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module, phone-sized; downloads go to a folder of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=420,1100", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """The real app on a loopback port, texting through the Twilio fake; `code_for(phone)` sends what is due
    and returns the newest 6-digit code that phone was texted."""

    def __init__(self, app, runtime, twilio, dispatcher, base, clock):
        self.app, self.runtime, self.twilio, self.dispatcher, self.base, self.clock = \
            app, runtime, twilio, dispatcher, base, clock

    def seed(self, days: int) -> None:
        """Give Alex and Sam `days` days of history before today (answers, moods, promises)."""
        from devkit.history import seed_history
        seed_history(self.runtime, self.clock, 1, 2, days)

    def code_for(self, phone: str) -> str:
        self.dispatcher.run_until_idle()
        bodies = [m["body"] for m in self.twilio.sent if m["to"] == phone and "sign-in code" in m["body"]]
        return re.search(r"\b(\d{6})\b", bodies[-1])[1]


@pytest.fixture
def site(tmp_path, clock):
    from werkzeug.serving import make_server
    from app import create_app
    port = _free_port()
    with FakeTwilio() as twilio:
        settings = make_settings(tmp_path, public_base_url=f"http://127.0.0.1:{port}",
                                 twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token,
                                 twilio_from_number=OUR_NUMBER, twilio_api_url=twilio.url)
        runtime = open_runtime(settings, gateway_for(settings), clock=clock)
        with transaction(runtime.sessions) as s:
            joined = clock() - timedelta(days=60)
            alex, sam = seed_couple(s, joined, "America/Los_Angeles", (ALEX, SAM))
            assert (alex.id, sam.id) == (1, 2)
            seed_couple(s, joined, "America/New_York", (OTHER_A, OTHER_B), ("Jo", "Kim"))
        app = create_app(runtime=runtime)
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        dispatcher = Dispatcher(runtime.sessions, runtime.gateway, clock, concurrency=1)
        try:
            yield Site(app, runtime, twilio, dispatcher, f"http://127.0.0.1:{port}", clock)
        finally:
            server.shutdown()
            runtime.close()


def shot(browser, name: str) -> None:
    """A full-page screenshot into SCREENSHOTS_DIR, when set (docs/screenshots/)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(420, max(900, min(height + 40, 4000)))
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))
        browser.set_window_size(420, 1100)


def field(browser, name):
    from selenium.webdriver.common.by import By
    return browser.find_element(By.NAME, name)


def press(browser, label: str):
    """Click the button and wait for the page it leads to."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.XPATH, f"//button[normalize-space()={label!r}]").click()

    def left(_driver) -> bool:
        """The old page is gone: its element is stale, or (mid-navigation) Chromium no longer knows its
        node, which it reports as a plain WebDriverException instead of a stale reference."""
        try:
            old.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one too
            return True
        return False

    WebDriverWait(browser, 10).until(left)


def page_text(browser) -> str:
    from selenium.webdriver.common.by import By
    return browser.find_element(By.TAG_NAME, "body").text


def sign_in(browser, site, phone, screenshots=False):
    browser.delete_all_cookies()
    browser.get(site.base + "/login")
    if screenshots:
        shot(browser, "login")
    field(browser, "phone").send_keys(phone)
    press(browser, "Text me a code")
    assert browser.current_url == site.base + "/login/code"
    field(browser, "code").send_keys(site.code_for(phone))
    if screenshots:
        shot(browser, "code")
    press(browser, "Sign in")
    assert browser.current_url == site.base + "/"


def answer(browser, words, private=False):
    field(browser, "answer").send_keys(words)
    if private:
        field(browser, "private").click()
    press(browser, "Save my answer")
    assert "Saved" in page_text(browser) or "Kept" in page_text(browser)


def sign_out(browser, site):
    press(browser, "Sign out")
    assert browser.current_url == site.base + "/login?out=1" and "You're signed out." in page_text(browser)
    browser.get(site.base + "/")
    assert browser.current_url == site.base + "/login"


def test_a_couple_signs_in_answers_looks_back_exports_and_signs_out(browser, site):
    from selenium.webdriver.common.by import By
    site.seed(days=42)  # six weeks behind them, so the history and the charts have something to show
    sign_in(browser, site, ALEX, screenshots=True)
    answer(browser, "I felt heard when you asked about my day.")
    assert "You'll see it here once Sam has answered." in page_text(browser)
    sign_out(browser, site)

    sign_in(browser, site, SAM)
    assert "Alex has answered. You'll see it once you've answered too." in page_text(browser)
    assert "I felt heard" not in page_text(browser)
    answer(browser, "When you brought me tea this morning without being asked.")
    assert "I felt heard when you asked about my day." in browser.find_element(By.ID, "partner-answer").text
    sign_out(browser, site)

    sign_in(browser, site, ALEX)
    assert "brought me tea" in browser.find_element(By.ID, "partner-answer").text
    shot(browser, "today")
    for path, name in (("/history", "history"), ("/promises", "promises"), ("/settings", "settings"),
                       ("/export", "export")):
        browser.get(site.base + path)
        shot(browser, name)
    browser.get(site.base + "/progress")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3 and all(c.is_displayed() and c.size["width"] > 300 for c in charts)
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart circle.dot")) >= 5  # the mood weeks
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    browser.find_element(By.XPATH, "(//summary)[2]").click()  # the table beside the chart
    assert "Monday, Nov 23 1" in browser.find_element(By.ID, "both-h").find_element(By.XPATH, "..").text
    shot(browser, "progress")

    browser.get(site.base + "/pact")  # proposing from the page: it waits for the partner to agree
    field(browser, "text").send_keys("We put our phones away at dinner")
    press(browser, "Propose it")
    assert "It counts only once your partner agrees too" in page_text(browser)
    assert "Proposed: We put our phones away at dinner" in page_text(browser)
    shot(browser, "pact")

    browser.get(site.base + "/export")
    browser.find_element(By.LINK_TEXT, "As JSON").click()
    saved = _downloaded(browser.downloads, "trust-builder-my-data.json")
    assert "I felt heard" in saved and "brought me tea" not in saved
    sign_out(browser, site)


def _downloaded(folder: Path, name: str) -> str:
    for _ in range(100):
        path = folder / name
        if path.exists() and path.stat().st_size:
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{name} was not downloaded")


def test_a_form_with_a_forged_csrf_token_is_refused(browser, site):
    sign_in(browser, site, ALEX)
    browser.get(site.base + "/settings")
    browser.execute_script("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.value = 'forged')")
    press(browser, "Save my settings")
    assert "This form has expired" in page_text(browser)
    with site.runtime.sessions() as s:
        from core.models import Partner
        assert s.get(Partner, 1).quiet_start == 21


def test_an_expired_code_and_five_wrong_codes(browser, site):
    browser.delete_all_cookies()
    browser.get(site.base + "/login")
    field(browser, "phone").send_keys(ALEX)
    press(browser, "Text me a code")
    code = site.code_for(ALEX)
    site.clock.advance(minutes=11)
    field(browser, "code").send_keys(code)
    press(browser, "Sign in")
    assert "That code has expired or was already used." in page_text(browser)

    browser.get(site.base + "/login")
    field(browser, "phone").send_keys(ALEX)
    press(browser, "Text me a code")
    right = site.code_for(ALEX)
    wrong = f"{(int(right) + 7) % 1_000_000:06d}"
    for left in ("4 tries", "3 tries", "2 tries", "1 try"):
        field(browser, "code").send_keys(wrong)
        press(browser, "Sign in")
        assert f"That code isn't right. {left} left." in page_text(browser)
    field(browser, "code").send_keys(wrong)
    press(browser, "Sign in")
    assert "That was the fifth wrong code, so it no longer works." in page_text(browser)
    assert not browser.find_elements("name", "code")  # only "Get a new code" is left
    browser.get(site.base + "/")
    assert browser.current_url == site.base + "/login"


def test_no_page_of_one_couple_is_reachable_by_the_other(browser, site):
    sign_in(browser, site, ALEX)
    answer(browser, "Words only our couple should read.")
    sign_out(browser, site)
    sign_in(browser, site, OTHER_A)
    for path in ("/", "/history", "/promises", "/progress", "/settings", "/export"):
        browser.get(site.base + path)
        text = page_text(browser)
        assert browser.current_url == site.base + path
        assert "Alex" not in text and "Sam" not in text and "only our couple" not in text, path
    hrefs = [a.get_attribute("href") for a in browser.find_elements("tag name", "a")]
    assert not any(re.search(r"/\d+(?:/|$)", h.removeprefix(site.base)) for h in hrefs if h)
