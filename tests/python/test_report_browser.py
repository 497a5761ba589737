"""report.html in headless Chromium with the network blocked: no console error, no request
beyond the file itself, every chart an SVG with a title, every table a caption and scoped
headers; a PNG screenshot is written to the test's temporary folder. The report has every
section: the demo's decisions with engagement contracts signed (contract_deadlines) and a
matching run of the demo's persons (matching_summary, matching_exposure)."""

import json
import os
import pathlib
import datetime
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(ROOT / "build" / "aiguillage"))
FR2025 = ROOT / "rules" / "orientation" / "fr-2025"
PERSONS = ROOT / "examples" / "data" / "persons-1000.jsonl"
GOLDEN = ROOT / "tests" / "golden" / "report"

webdriver = pytest.importorskip("selenium.webdriver")
pytestmark = pytest.mark.skipif(
    not (pathlib.Path(CLI).exists() and shutil.which("chromium") and shutil.which("chromedriver")),
    reason="needs the CLI, chromium and chromium-driver")


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    key = d / "key.txt"
    key.write_text("browser-test-key\n", encoding="utf-8")
    log = d / "decisions.log"
    # The counsellors' decisions of the demo, and confirmations whose engagement contract was
    # signed 0 to 44 days after the decision (decision record 1.1).
    decisions = d / "decisions.jsonl"
    lines = (GOLDEN / "counsellor-decisions.jsonl").read_text(encoding="utf-8").splitlines()
    planned = {json.loads(l)["person_id"] for l in lines if l.strip()}
    for i in range(100, 180):
        person_id = f"demo-{i:04d}"
        if person_id in planned:
            continue
        signed = datetime.date(2025, 3, 3) + datetime.timedelta(days=i % 45)
        lines.append(json.dumps({"person_id": person_id, "action": "confirm",
                                 "actor": "conseiller_france_travail",
                                 "decided_at": "2025-03-03",
                                 "contract_signed_at": signed.isoformat()}))
    decisions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([CLI, "decide", str(FR2025), str(PERSONS), "--date", "2025-03-01",
                           "--auto", "--at", "2025-03-01T09:00:00+01:00", "--decisions",
                           str(decisions), "--key-file", str(key), "--log", str(log)],
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    # A matching run: each example offer's 20 best persons, as `make demo` does.
    profiles = d / "profiles.jsonl"
    with open(profiles, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_profiles.py"), str(PERSONS)],
                       stdout=f, check=True)
    matches = d / "matches.jsonl"
    with open(matches, "w", encoding="utf-8") as f:
        done = subprocess.run([CLI, "match", "--referential", str(ROOT / "data" / "rome-subset"),
                               "--scoring", str(ROOT / "rules" / "matching" /
                                                "scoring-default.json"),
                               "--offers", str(ROOT / "examples" / "data" / "offers-subset.jsonl"),
                               "--profiles", str(profiles), "--persons", "--top", "20"],
                              stdout=f, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    out = d / "report"
    done = subprocess.run([CLI, "report", "--log", str(log), "--out", str(out), "--packs",
                           str(ROOT / "rules" / "orientation"), "--matches", str(matches),
                           "--match-persons", str(PERSONS), "--match-profiles", str(profiles)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    contracts = next(t for t in doc["tables"] if t["id"] == "contract_deadlines")
    signed = contracts["rows"][0][2]
    assert isinstance(signed, int) and signed >= 11  # signatures known, shown
    exposure = next(t for t in doc["tables"] if t["id"] == "matching_exposure")
    persisting = [c["id"] for c in exposure["columns"]].index("persisting")
    assert any(isinstance(r[persisting], float) for r in exposure["rows"])  # compared gaps
    return out / "report.html"


@pytest.fixture()
def driver(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                # Every host unreachable: a fetch would fail and show in the logs below.
                "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,2000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*",
                                                         "wss://*"]})
    yield d
    d.quit()


def test_report_in_chromium(report_html, driver, tmp_path):
    from selenium.webdriver.common.by import By
    url = report_html.resolve().as_uri()
    driver.get_log("performance")  # the start page's own traffic, before the report
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete"
    assert driver.find_element(By.TAG_NAME, "h1").text

    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    # The browser's internal pages (chrome://) are not the report's; everything else must be
    # the file itself.
    requests = [r for r in requests if not r.startswith("chrome")]
    assert requests == [url], requests

    charts = driver.find_elements(By.CSS_SELECTOR, "svg")
    assert len(charts) >= 5
    for svg in charts:
        title = svg.find_elements(By.CSS_SELECTOR, ":scope > title")
        assert title and title[0].get_attribute("textContent").strip()
        assert svg.get_attribute("role") == "img"
    tables = driver.find_elements(By.TAG_NAME, "table")
    assert len(tables) >= 10
    ids = {t.get_attribute("id") for t in tables}
    for section in ("contract_deadlines", "matching_summary", "matching_exposure",
                    "territorial_summary", "disparities"):
        assert any(i == section or i.startswith(section + "-") for i in ids), (section, ids)
    for table in tables:
        caption = table.find_elements(By.TAG_NAME, "caption")
        assert caption and caption[0].get_attribute("textContent").strip()
        for th in table.find_elements(By.TAG_NAME, "th"):
            assert th.get_attribute("scope") in ("col", "row")
    assert driver.execute_script("return document.scripts.length") == 0

    shot = tmp_path / "report.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10000
