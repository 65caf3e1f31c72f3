#!/usr/bin/env python3
"""Drives `signet serve`'s upload page (GET /) in headless Chromium through Selenium and chromedriver.

Usage: upload_page.py BASE_URL SCREENSHOT_DIR FILE...

For each file: load the page, give the file to its file input (what picking or dropping does), wait for the verdict
line and, when the server answered, for the investigator report to appear in its frame; then save a screenshot
(SCREENSHOT_DIR/upload-<name>.png) and collect what the page shows. Prints one JSON object per file and line:
{"file", "verdict_class", "verdict", "failures": [...], "frame_shown", "frame_text"} where frame_text is the
visible text of the investigator page inside the frame. Exit status 0 when every file was handled, 2 when the
browser could not be started (the caller skips), 1 otherwise.
"""
import json
import os
import sys
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:
    print(f"selenium missing: {e}", file=sys.stderr)
    sys.exit(2)


def driver():
    options = Options()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600"]:
        options.add_argument(arg)
    for binary in ["/usr/bin/chromium", "/usr/bin/chromium-browser"]:
        if os.path.exists(binary):
            options.binary_location = binary
            break
    service = None
    for path in ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]:
        if os.path.exists(path):
            service = Service(executable_path=path)
            break
    if service is None:
        raise RuntimeError("chromedriver not found")
    return webdriver.Chrome(options=options, service=service)


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 1
    base, shots, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(shots, exist_ok=True)
    try:
        d = driver()
    except Exception as e:  # the browser or its driver is not installed or cannot start here
        print(f"cannot start Chromium through chromedriver: {e}", file=sys.stderr)
        return 2
    ok = True
    try:
        for path in files:
            d.get(base + "/")
            d.find_element(By.ID, "pick").send_keys(os.path.abspath(path))
            wait = WebDriverWait(d, 60)
            wait.until(lambda x: "Checking" not in x.find_element(By.ID, "verdict").text
                       and x.find_element(By.ID, "verdict").text != "")
            verdict = d.find_element(By.ID, "verdict")
            kind = verdict.get_attribute("class")
            frame_shown = False
            frame_text = ""
            if kind != "error":
                try:
                    wait.until(lambda x: x.find_element(By.ID, "report").is_displayed())
                    frame_shown = True
                    d.switch_to.frame(d.find_element(By.ID, "report"))
                    WebDriverWait(d, 30).until(lambda x: x.find_element(By.TAG_NAME, "body").text.strip() != "")
                    frame_text = d.find_element(By.TAG_NAME, "body").text
                    d.switch_to.default_content()
                except Exception as e:
                    ok = False
                    frame_text = f"(frame did not load: {e})"
                    d.switch_to.default_content()
            time.sleep(0.3)
            d.save_screenshot(os.path.join(shots, "upload-" + os.path.basename(path) + ".png"))
            failures = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#failures li")]
            print(json.dumps({"file": os.path.basename(path), "verdict_class": kind, "verdict": verdict.text,
                              "failures": failures, "frame_shown": frame_shown, "frame_text": frame_text}))
            sys.stdout.flush()
    finally:
        d.quit()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
