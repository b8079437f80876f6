"""The HTML report in a real browser: headless Chromium (through chromedriver) opens a report that
`ftpspec run` wrote against ftpspecd, with no console errors (which includes Content-Security-Policy
violations, so nothing is fetched from the network); the verdict and RFC filters change the visible
cases; a screenshot is kept in the pytest tmp dir and copied to the build dir."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", ROOT / "build" / "main"))
FTPSPEC = BUILD / "engine" / "ftpspec"
FTPSPECD = BUILD / "reference_server" / "ftpspecd"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.timeout(240)

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI is set but chromium/chromium-driver are not installed (scripts/debian-packages.txt)")
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (python3-selenium comes with the same packages)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    for binary in (FTPSPEC, FTPSPECD):
        assert binary.exists(), f"{binary} is not built (set FTPSPEC_BUILD_DIR)"
    base = tmp_path_factory.mktemp("html")
    (base / "root").mkdir()
    done = subprocess.run(
        [str(FTPSPEC), "run", "--target", "ftp://ftpspec:ftpspec@127.0.0.1:0",
         "--launch", f"{FTPSPECD} --listen 127.0.0.1:0 --root {base / 'root'} --user ftpspec:ftpspec",
         "--report-dir", str(base), "--format", "json,html", "--timeout", "5000"],
        capture_output=True, text=True, timeout=150)
    assert done.returncode in (0, 1), done.stderr
    return base


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,1800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def visible_cases(driver) -> list:
    return [c for c in driver.find_elements(By.CSS_SELECTOR, "details.case") if c.is_displayed()]


def test_report_loads_filters_and_looks_right(report, browser, tmp_path):
    document = json.loads((report / "ftpspec-results.json").read_text())
    total = len(document["cases"])
    not_pass = sum(1 for c in document["cases"] if c["verdict"] != "pass")
    browser.get((report / "ftpspec-report.html").as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "shown-count").text)

    severe = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert not severe, severe
    assert browser.find_element(By.ID, "shown-count").text == f"{total} of {total} cases shown"
    assert len(visible_cases(browser)) == total
    # Findings open by default; a run where every case passed has none, so open the first case.
    if not browser.find_elements(By.CSS_SELECTOR, "details.case[open]"):
        browser.find_element(By.CSS_SELECTOR, "details.case > summary").click()
    svg = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "details.case[open] svg.sequence"))
    assert svg.size["width"] > 200 and svg.size["height"] > 80, "the sequence diagram is drawn"

    browser.find_element(By.CSS_SELECTOR, "input.verdict-filter[value=pass]").click()
    WebDriverWait(browser, 10).until(lambda d: len(visible_cases(d)) == not_pass)
    assert browser.find_element(By.ID, "shown-count").text == f"{not_pass} of {total} cases shown"
    assert all(c.get_attribute("data-verdict") != "pass" for c in visible_cases(browser))

    Select(browser.find_element(By.ID, "rfc-filter")).select_by_value("2428")
    expected = sum(1 for c in document["cases"] if c["verdict"] != "pass" and c["rfc"][0].split()[0] == "2428")
    WebDriverWait(browser, 10).until(lambda d: len(visible_cases(d)) == expected)
    assert all(c.get_attribute("data-rfc") == "2428" for c in visible_cases(browser))

    # The screenshot shows the findings of every RFC, the first one opened.
    Select(browser.find_element(By.ID, "rfc-filter")).select_by_value("")
    browser.execute_script("window.scrollTo(0, document.getElementById('filters').offsetTop - 10)")
    shot = tmp_path / "report-screenshot.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, BUILD / "report-screenshot.png")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
