"""Screenshot of the interactive app (`mentorsim app`) with Debian's headless chromium.

Starts ``solara run sim/viz/app.py`` on a free loopback port, waits (bounded) until it
answers, opens the page in headless chromium and writes ``results/app_screenshot.png``.

Why not just ``chromium --headless --virtual-time-budget=15000 --screenshot=...``: that
takes the picture as soon as the page's virtual time is spent, and virtual time does not
wait for Solara's websocket, so it always shows "Loading app". Here chromium runs with
the same flags but is driven over ``--remote-debugging-pipe`` (the DevTools protocol on
file descriptors 3 and 4, no extra packages): the picture is taken once the page shows
its controls and plots.

    python benchmarks/app_screenshot.py [--out results/app_screenshot.png]

Prints one line: the PNG written, its size and how long the page took.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
]
# Text the page shows once Solara has rendered the SolaraViz sidebar and the plots.
READY_TEXT = ("Model Parameters", "Matching policy")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers 200, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def serve_app(port: int, log: Path | None = None, timeout: float = 90.0) -> Iterator[str]:
    """Run ``solara run sim/viz/app.py`` on 127.0.0.1:``port``; yield its URL; stop it after."""
    url = f"http://127.0.0.1:{port}/"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", str(ROOT / "sim" / "viz" / "app.py"), "--host",
         "127.0.0.1", "--port", str(port), "--no-open"],
        cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(url, timeout, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()


class DevTools:
    """A minimal DevTools-protocol client over chromium's ``--remote-debugging-pipe``."""

    def __init__(self, chromium: str = CHROMIUM, flags: list[str] | None = None) -> None:
        self.user_data = tempfile.mkdtemp(prefix="mentorsim-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads commands, fd 4 writes replies
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [chromium, *(flags or CHROMIUM_FLAGS), f"--user-data-dir={self.user_data}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire,  # noqa: PLW1509
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        """Send one command and return its result (events in between are dropped)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise TimeoutError(f"{method}: no reply within {timeout} s")

    def close(self) -> None:
        """Close the browser and remove its profile."""
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self.user_data, ignore_errors=True)


def _click(browser: DevTools, session: str, label: str) -> bool:
    """Click the first button whose text is ``label``; whether one was found."""
    script = ("(() => { const b = Array.from(document.querySelectorAll('button'))"
              f".find(b => b.innerText.trim().toUpperCase() === {json.dumps(label.upper())});"
              " if (b) { b.click(); return true; } return false; })()")
    return bool(browser.send("Runtime.evaluate", {"expression": script, "returnByValue": True},
                             session)["result"].get("value"))


def _page_text(browser: DevTools, session: str) -> str:
    return browser.send("Runtime.evaluate", {
        "expression": "document.body ? document.body.innerText : ''", "returnByValue": True,
    }, session)["result"].get("value", "")


def _run_weeks(browser: DevTools, session: str, weeks: int, timeout: float) -> int:
    """Press play until the page's step counter reaches ``weeks``, then pause."""
    import re

    if weeks <= 0:
        return 0
    _click(browser, session, "\u25b6")
    deadline = time.monotonic() + timeout
    step = 0
    while time.monotonic() < deadline:
        found = re.search(r"Step: (\d+)", _page_text(browser, session))
        step = int(found.group(1)) if found else 0
        if step >= weeks:
            break
        time.sleep(0.3)
    for _ in range(20):  # pause, and wait until the page shows the play button again
        _click(browser, session, "\u275a\u275a")
        time.sleep(0.5)
        if "\u25b6" in _page_text(browser, session):
            break
    return step


def screenshot(url: str, out: Path, timeout: float = 90.0, settle: float = 2.0,
               ready_text: tuple[str, ...] = READY_TEXT, weeks: int = 26) -> float:
    """Open ``url`` in headless chromium, wait for ``ready_text``, write a PNG to ``out``.

    Once the page is ready, presses play until ``weeks`` weeks have run (so the plots
    have lines), pauses, lets the plots paint and takes the picture.

    Returns:
        Seconds from navigation until the page showed ``ready_text``.

    Raises:
        TimeoutError: The page did not show the text within ``timeout`` seconds.

    """
    browser = DevTools()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
                     session)
        start = time.monotonic()
        browser.send("Page.navigate", {"url": url}, session)
        check = "document.body ? document.body.innerText : ''"
        while True:
            text = browser.send("Runtime.evaluate", {"expression": check, "returnByValue": True},
                                session)["result"].get("value", "")
            images = browser.send("Runtime.evaluate", {
                "expression": "Array.from(document.images).filter(i => i.complete && "
                              "i.naturalWidth > 100).length", "returnByValue": True,
            }, session)["result"].get("value", 0)
            if all(t in text for t in ready_text) and images >= 2:
                break
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"the page did not show {ready_text} and plots within "
                                   f"{timeout:.0f} s; it shows: {text[:200]!r}")
            time.sleep(0.5)
        ready = time.monotonic() - start
        _run_weeks(browser, session, weeks, timeout)
        time.sleep(settle)  # let the last plots paint
        data = browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return ready
    finally:
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "app_screenshot.png")
    parser.add_argument("--weeks", type=int, default=26, help="weeks to run before the shot")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"app_screenshot: {CHROMIUM} is missing (apt-get install -y chromium)")
        return 1
    with serve_app(free_port()) as url:
        ready = screenshot(url, args.out, weeks=args.weeks)
    print(f"app_screenshot: wrote {args.out} ({args.out.stat().st_size} bytes), "
          f"page ready after {ready:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
