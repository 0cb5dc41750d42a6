"""The dashboard in a real browser (headless Chromium through Selenium), against `realtyhub demo`.

Run by scripts/dashboard-browser.sh with the demo's --json line in a file:

    python dashboard-browser.py DEMO_JSON SCREENSHOT_DIR

Steps, each failing the run with a message when it does not hold:
1. the one-time link signs in, and the address bar loses its token;
2. the overview shows the five demo connections;
3. a connection's page shows its sync runs (table and chart);
4. the records page finds a synced contact by the first letters of its name, and the
   contact's page shows its change list with a "created" row;
5. a dead letter made through the MyCRM emulator's fault control API is found on the
   deliveries page, opened and retried;
6. at 390 px wide the overview needs no sideways scrolling;
screenshots of each page go to SCREENSHOT_DIR.
"""

import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait


def fail(message):
    print(f"dashboard-browser: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def arrive(driver, url_part, what):
    """Waits (up to 30 s) for a navigation a click started to land on a URL containing url_part.

    A click on a link or a form's button returns once the browser has been told to go, not
    always once the next page is there; reading the page before then reads the old one.
    """
    try:
        WebDriverWait(driver, 30).until(expected_conditions.url_contains(url_part))
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    except Exception:
        heading = " ".join(h.text for h in driver.find_elements(By.CSS_SELECTOR, "h1"))
        fail(f"{what}: the browser is at {driver.current_url} ({heading!r}), not at a URL with {url_part!r}")


def call(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def main():
    demo = json.loads(open(sys.argv[1]).readline())
    shots = sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    hub = demo["hub_url"]
    token = demo["token"]

    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    try:
        # 1. Sign in with the demo's one-time link.
        driver.get(demo["dashboard_url"])
        check(driver.current_url == f"{hub}/dashboard", f"the link should land on the overview, not {driver.current_url}")
        check("token" not in driver.current_url, "the sign-in token must leave the address bar")

        # 2. The five demo connections.
        cards = driver.find_elements(By.CSS_SELECTOR, "section.card[data-connection]")
        names = sorted(card.find_element(By.CSS_SELECTOR, "h2 a").text for card in cards)
        check(names == ["apimo", "boston-logic", "mycrm", "pf-expert", "propq"], f"the overview shows {names}")
        driver.save_screenshot(os.path.join(shots, "overview.png"))

        # 3. A connection's sync runs.
        driver.find_element(By.LINK_TEXT, "mycrm").click()
        arrive(driver, "/dashboard/connections/", "opening the MyCRM connection")
        runs = driver.find_elements(By.CSS_SELECTOR, "table.runs tbody tr")
        check(len(runs) > 0, "the MyCRM connection's page lists its sync runs")
        check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")) > 0, "the sync runs chart has bars")
        driver.save_screenshot(os.path.join(shots, "connection.png"))

        # 4. Records: a contact the demo synced, found by the first letters of its name.
        contacts = call("GET", f"{hub}/v1/contacts?per_page=1", token=token)["value"]
        check(contacts, "the demo synced contacts")
        contact = contacts[0]
        name = next((contact.get(f) for f in ["FirstName", "LastName", "FullName"] if (contact.get(f) or "").strip()), None)
        check(name, f"the contact {contact.get('ContactKey')} has a name to search by")
        prefix = name.strip()[:3]
        driver.find_element(By.LINK_TEXT, "Records").click()
        arrive(driver, "/dashboard/records", "opening Records")
        Select(driver.find_element(By.NAME, "resource")).select_by_value("contacts")
        Select(driver.find_element(By.NAME, "kind")).select_by_value("name")
        box = driver.find_element(By.NAME, "q")
        box.clear()
        box.send_keys(prefix)
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        arrive(driver, "q=", f"searching Contacts by the name prefix {prefix!r}")
        record_path = f"/dashboard/records/contacts/{contact['ContactKey']}"
        found = driver.find_elements(By.CSS_SELECTOR, f"table.records a[href='{record_path}']")
        shown = len(driver.find_elements(By.CSS_SELECTOR, "table.records tbody tr"))
        check(found, f"searching Contacts for {prefix!r} lists {contact['ContactKey']} (it lists {shown} records)")
        driver.save_screenshot(os.path.join(shots, "records.png"))
        found[0].click()
        arrive(driver, record_path, "opening the contact")
        changes = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.events tbody tr td:nth-child(2)")]
        check("created" in changes, f"the contact's change list has a created row, not only {changes}")
        driver.save_screenshot(os.path.join(shots, "record.png"))

        # 5. A dead letter: the MyCRM emulator refuses the next write (an injected 422, which no
        # client retries), so a lead sent there dies at once; the retry then goes through.
        mycrm = next(e for e in demo["emulators"] if e["vendor"] == "mycrm")
        control = mycrm["control_url"].rstrip("/")
        call("POST", f"{control}/faults", {"next": [{"kind": "422", "count": 1, "method": "POST"}]})
        connection = next(c for c in demo["connections"] if c["vendor"] == "mycrm")
        call("POST", f"{hub}/v1/leads", {"lead": {"FirstName": "Dead", "LastName": "Letter", "Email": "dead.letter@example.com"},
                                         "connections": [connection["id"]]}, token)
        dead = []
        for _ in range(120):
            dead = call("GET", f"{hub}/v1/deliveries?state=dead", token=token)["value"]
            if dead:
                break
            time.sleep(0.5)
        check(dead, "the lead delivery to the refusing emulator should die")
        driver.get(f"{hub}/dashboard/deliveries?state=dead")
        links = driver.find_elements(By.CSS_SELECTOR, "table.deliveries tbody a")
        check(len(links) >= 1, "the deliveries page lists the dead letter")
        links[0].click()
        arrive(driver, "/dashboard/deliveries/", "opening the dead letter")
        check(driver.find_element(By.CSS_SELECTOR, "dd.delivery-state").text == "dead", "the delivery's page says dead")
        driver.save_screenshot(os.path.join(shots, "dead-letter.png"))
        driver.find_element(By.XPATH, "//button[text()='Retry']").click()
        arrive(driver, "done=retried", "retrying the dead letter")
        notice = driver.find_element(By.CSS_SELECTOR, "p.notice").text
        check("pending again" in notice, f"the retry is confirmed, not: {notice}")
        state = ""
        for _ in range(120):
            state = call("GET", f"{hub}/v1/deliveries/{dead[0]['id']}", token=token)["state"]
            if state == "done":
                break
            time.sleep(0.5)
        check(state == "done", f"the retried delivery should be delivered, is {state}")

        # 6. A phone-sized window.
        driver.set_window_size(390, 844)
        driver.get(f"{hub}/dashboard")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 0, f"at 390 px the overview scrolls sideways by {overflow} px")
        driver.save_screenshot(os.path.join(shots, "overview-390.png"))
        print(
            "dashboard-browser: signed in by link, 5 connections, sync runs, a contact found by name with its changes,"
            " dead letter retried and delivered, 390 px fits"
        )
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
