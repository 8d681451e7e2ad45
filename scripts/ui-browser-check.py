#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol (over --remote-debugging-pipe, so
nothing but the standard library) to check that `runner ui`'s experiment page is live.

    ui-browser-check.py URL SWEEP_PID SCREENSHOT.png

Opens URL, waits until the page's WebSocket is connected, reads the DOM (the accuracy chart's
points, the run table's states), sends SIGCONT to the stopped sweep SWEEP_PID, then reads the
DOM again as the sweep trains, until every run is done and the chart has more points: all
without reloading (window.runnerLoadedAt stays the same; body[data-updates] counts the swaps).
Prints one JSON line with what it saw, saves a screenshot, exits 1 if the page did not update.
"""
import base64
import json
import os
import signal
import subprocess
import sys
import time

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)

PROBE = """JSON.stringify({
  loadedAt: window.runnerLoadedAt || null,
  live: (document.getElementById('live') || {}).textContent || '',
  updates: Number(document.body.dataset.updates || 0),
  points: Array.from(document.querySelectorAll('figure.chart[data-file="accuracy.svg"] polyline.series'))
            .reduce((n, p) => n + p.getAttribute('points').trim().split(/\\s+/).filter(s => s).length, 0),
  states: Array.from(document.querySelectorAll('#runs tbody tr')).map(r => r.cells[3].textContent)
})"""


class DevTools:
    def __init__(self):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def descriptors():
            # Chromium reads commands on fd 3 and writes replies on fd 4; move both above 4 first
            # so that neither dup2 closes the other.
            read, write = os.dup(to_browser_r) + 10, os.dup(from_browser_w) + 10
            os.dup2(to_browser_r, read)
            os.dup2(from_browser_w, write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--window-size=1280,1600", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=descriptors, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def close(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def main(url, sweep_pid, screenshot):
    browser = DevTools()
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session=session)

        def probe():
            result = browser.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session=session)
            value = result.get("result", {}).get("value")
            return json.loads(value) if value else None

        deadline = time.monotonic() + 60
        before = probe()
        while time.monotonic() < deadline and not (before and before["live"] == "live" and before["loadedAt"]):
            time.sleep(0.1)
            before = probe()
        if not before or before["live"] != "live":
            print(json.dumps({"error": "the page never connected its live socket", "seen": before}))
            return 1
        os.kill(sweep_pid, signal.SIGCONT)
        deadline = time.monotonic() + 300
        after = probe()
        while time.monotonic() < deadline:
            after = probe()
            if after["states"] and all(s == "done" for s in after["states"]) and after["points"] > before["points"]:
                break
            time.sleep(0.2)
        shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        ok = (after["loadedAt"] == before["loadedAt"] and after["updates"] >= 1 and after["points"] > before["points"]
              and after["states"] != before["states"] and all(s == "done" for s in after["states"]))
        print(json.dumps({"ok": ok, "before": before, "after": after}))
        return 0 if ok else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
