"""The README's screenshots (docs/images), taken in headless Chromium from a running demo.

    bin/run --series 19 &
    python -m devtools.screenshots [--url http://127.0.0.1:8069] [--suffix -19] [NAME ...]

It walks the demo as a person would (log in as admin, click Google, consent on the emulator's
page, open the preferences, the calendar chooser, the log, the Reset Account wizard, the
settings) and saves each step's page as ``docs/images/NAME<suffix>.png`` (or in ``--outdir``) at
Odoo's test browser size (1366x768), in the demo administrator's time zone. The steps run in order, each from where the one before left off; NAME limits
which are saved. Needs Chromium and websocket-client (Odoo's environment has it).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
DEMO_GOOGLE = "demo.admin@gmail.example"
WIDTH, HEIGHT = 1366, 768
TIME_ZONE = "Europe/Brussels"  # the demo administrator's


class Page:
    """One Chromium tab over the DevTools protocol: enough to drive Odoo's web client."""

    def __init__(self, chromium: str, profile: str):
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile, "DevToolsActivePort")
            deadline = time.monotonic() + 30
            while not (port_file.is_file() and port_file.stat().st_size > 5):
                if time.monotonic() > deadline:
                    raise RuntimeError("Chromium opened no DevTools port")
                time.sleep(0.1)  # a file Chromium writes once; the deadline bounds the wait
            port = int(port_file.read_text().split()[0])
            tab = next(t for t in requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
                       if t["type"] == "page")
            self.ws = websocket.create_connection(tab["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=30)
            raise
        self.ids = itertools.count(1)
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
        self.send("Emulation.setTimezoneOverride", timezoneId=TIME_ZONE)

    def send(self, method: str, **params):
        request_id = next(self.ids)
        self.ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, condition: str, timeout: float = 120) -> None:
        """Until the JavaScript ``condition`` holds (the page may navigate meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.evaluate(f"Boolean({condition})"):
                    return
            except RuntimeError:
                pass  # the page was navigating
            if time.monotonic() > deadline:
                raise TimeoutError(condition)
            time.sleep(0.25)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'")

    def click(self, selector: str, text: str = "") -> None:
        """Click the first visible element matching ``selector`` (and containing ``text``)."""
        found = (f"[...document.querySelectorAll({selector!r})].find(e => e.offsetParent !== null"
                 f" && e.textContent.includes({text!r}))")
        self.wait(found)
        self.evaluate(f"{found}.click()")

    def settle(self) -> None:
        """Until Odoo has loaded what it asked for, and transitions (a dialog fading in) ended."""
        self.wait("document.readyState === 'complete' && !document.querySelector('.o_blockUI, .o_loading_indicator')"
                  " && document.getAnimations().every(a => a.playState !== 'running')")

    def shot(self, path: Path) -> None:
        self.settle()
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"screenshots: {path}")

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def steps(page: Page, url: str):
    """(name, how to get there) in the order a person goes."""
    def login():
        page.goto(f"{url}/web/login")
        page.evaluate("document.querySelector('input[name=login]').value = 'admin';"
                      "document.querySelector('input[name=password]').value = 'admin';"
                      "document.querySelector('form.oe_login_form').submit()")
        page.wait("location.pathname.startsWith('/odoo') && document.querySelector('.o_main_navbar')")
        page.goto(f"{url}/odoo/calendar")
        page.wait("document.querySelector('.o_google_calendar_button')")

    def consent():
        page.click(".o_google_calendar_button")
        page.wait("document.querySelector('#allow')")

    def connected():
        page.evaluate(f"document.querySelector('#email').value = {DEMO_GOOGLE!r};"
                      " document.querySelector('#allow').click()")
        page.wait(f"document.querySelector('.o_notification')?.innerText.includes('connected as {DEMO_GOOGLE}')"
                  " && document.querySelector('.o_google_calendar_button')")

    def synced():
        page.wait("document.querySelector('.o_google_calendar_button')?.textContent.includes('Synchronized')", 120)
        page.goto(f"{url}/odoo/calendar")
        page.wait("document.querySelector('.fc-event')")

    def preferences():
        page.click(".o_user_menu button")
        page.click("[data-menu=settings], [data-menu=preferences]")
        page.wait("document.querySelector('.modal .o_notebook_headers')")
        page.evaluate("(document.querySelector('.modal a[name=calendar]')"
                      " || document.querySelector('.modal a[name=preferences_page]')).click()")
        page.wait("document.querySelector('.modal button[name=action_google_calendar_choose]')")
        page.evaluate("document.querySelector('.modal div[name=google_account_state]')"
                      ".closest('.o_inner_group, .o_group').scrollIntoView()")

    def chooser():
        page.click(".modal button[name=action_google_calendar_choose]")
        page.wait("document.querySelector('.modal .o_data_row button[name=action_choose]')")

    def log():
        page.goto(f"{url}/odoo/calendar")
        page.click(".o_google_calendar_log")
        page.click(".o_data_row td.o_data_cell")
        page.wait("document.querySelector('.o_form_view')")

    def reset():
        page.goto(f"{url}/odoo/action-base.action_res_users/2")  # the administrator
        page.click(".o_notebook_headers a[name=google_calendar]")
        page.click("button", "Reset Account")
        page.wait("document.querySelector('.modal .o_form_view')")

    def settings():
        page.goto(f"{url}/odoo/settings")
        page.wait("document.querySelector('#google_calendar_setting, [name=google_calendar_enabled]')")
        page.evaluate("(document.querySelector('#google_calendar_setting')"
                      " || document.querySelector('[name=google_calendar_enabled]')).scrollIntoView()")

    return [("calendar-google-button", login), ("google-consent", consent), ("calendar-connected", connected),
            ("calendar-synced", synced), ("preferences", preferences), ("choose-calendar", chooser),
            ("sync-log", log), ("reset-wizard", reset), ("settings", settings)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="the screenshots to save (default: all)")
    parser.add_argument("--url", default="http://127.0.0.1:8069", help="the demo's Odoo (bin/run)")
    parser.add_argument("--suffix", default="", help="after each name, such as -19 for Odoo 19's")
    parser.add_argument("--outdir", default=str(IMAGES), help="where they go (default: docs/images)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        raise SystemExit("screenshots: no Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="gcal-shots-") as profile:
        page = Page(chromium, profile)
        try:
            for name, reach in steps(page, args.url.rstrip("/")):
                reach()
                if not args.names or name in args.names:
                    page.shot(Path(args.outdir) / f"{name}{args.suffix}.png")
        finally:
            page.close()


if __name__ == "__main__":
    main()
