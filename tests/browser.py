"""Open a page in real headless Chromium (Debian's package) with the network blocked, over
the DevTools protocol: console messages, uncaught exceptions, failed requests, the visible
text, and a screenshot. No browser download, no Playwright: `chromium` and `websockets`
(already installed with Prefect)."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageReport:
    console: list[dict] = field(default_factory=list)  # {"type": "error", "text": …}
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)  # URLs the page tried to fetch
    text: str = ""
    evaluated: object = None
    after_resize: object = None  # what `after_resize` evaluated to, after the viewport changed

    @property
    def errors(self) -> list[str]:
        return [m["text"] for m in self.console if m["type"] in ("error", "assert")] + self.exceptions


async def _session(
    url: str,
    screenshot: Path | None,
    script: str | None,
    width: int,
    height: int,
    resize: tuple[int, int] | None = None,
    after_resize: str | None = None,
    shot_from: int = 0,
    shot_height: int | None = None,
) -> PageReport:
    import websockets

    binary = chromium_path()
    profile = tempfile.mkdtemp(prefix="zhian-chromium-")
    command = [
        binary,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--mute-audio",
        # the network is blocked: every host resolves nowhere, every proxy connection fails
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = PageReport()
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError("chromium did not start")
            await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        import urllib.request

        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            counter = 0
            pending: dict[int, asyncio.Future] = {}
            loaded = asyncio.Event()

            async def send(method: str, **params):
                nonlocal counter
                counter += 1
                future = asyncio.get_running_loop().create_future()
                pending[counter] = future
                await socket.send(json.dumps({"id": counter, "method": method, "params": params}))
                return await future

            async def listen():
                async for raw in socket:
                    message = json.loads(raw)
                    if "id" in message and message["id"] in pending:
                        pending.pop(message["id"]).set_result(message.get("result", message.get("error")))
                    method = message.get("method")
                    params = message.get("params", {})
                    if method == "Runtime.consoleAPICalled":
                        text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                        report.console.append({"type": params.get("type"), "text": text})
                    elif method == "Runtime.exceptionThrown":
                        details = params.get("exceptionDetails", {})
                        report.exceptions.append(details.get("exception", {}).get("description") or details.get("text"))
                    elif method == "Log.entryAdded":
                        entry = params.get("entry", {})
                        if entry.get("level") == "error":
                            report.console.append({"type": "error", "text": entry.get("text", "")})
                    elif method == "Network.requestWillBeSent":
                        request_url = params.get("request", {}).get("url", "")
                        if not request_url.startswith(("file:", "data:", "about:", "blob:")):
                            report.failed_requests.append(request_url)
                    elif method == "Page.loadEventFired":
                        loaded.set()

            listener = asyncio.create_task(listen())
            for domain in ("Runtime", "Log", "Network", "Page"):
                await send(f"{domain}.enable")
            await send("Page.navigate", url=url)
            await asyncio.wait_for(loaded.wait(), timeout=60)
            await asyncio.sleep(0.5)
            if script:
                result = await send("Runtime.evaluate", expression=script, returnByValue=True, awaitPromise=True)
                report.evaluated = result.get("result", {}).get("value")
                await asyncio.sleep(0.5)
            if resize:
                await send(
                    "Emulation.setDeviceMetricsOverride",
                    width=resize[0],
                    height=resize[1],
                    deviceScaleFactor=1,
                    mobile=False,
                )
                await asyncio.sleep(1.0)  # plotly redraws on the resize event (debounced)
                if after_resize:
                    result = await send(
                        "Runtime.evaluate", expression=after_resize, returnByValue=True, awaitPromise=True
                    )
                    report.after_resize = result.get("result", {}).get("value")
                width = resize[0]
            text = await send("Runtime.evaluate", expression="document.body.innerText", returnByValue=True)
            report.text = text.get("result", {}).get("value", "")
            if screenshot:
                metrics = await send("Page.getLayoutMetrics")
                content = metrics.get("cssContentSize") or metrics.get("contentSize")
                shot = await send(
                    "Page.captureScreenshot",
                    format="png",
                    captureBeyondViewport=True,
                    clip={
                        "x": 0,
                        "y": shot_from,
                        "width": width,
                        "height": min(content["height"] - shot_from, shot_height or 12000),
                        "scale": 1,
                    },
                )
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            listener.cancel()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return report


def open_page(
    path: Path,
    screenshot: Path | None = None,
    script: str | None = None,
    width: int = 1400,
    height: int = 1000,
    *,
    resize: tuple[int, int] | None = None,
    after_resize: str | None = None,
    shot_from: int = 0,
    shot_height: int | None = None,
) -> PageReport:
    """Load a local file in headless Chromium and report what happened: `script` is evaluated
    after the load; with `resize`, the viewport then changes to that size and `after_resize`
    is evaluated. The screenshot covers `shot_height` pixels from `shot_from` (default: the
    whole page, up to 12,000). A browser that does not start (a loaded 2-core machine, once in
    a full run) is started once more."""
    url = Path(path).resolve().as_uri()
    arguments = (url, screenshot, script, width, height, resize, after_resize, shot_from, shot_height)
    try:
        return asyncio.run(_session(*arguments))
    except RuntimeError as error:
        if "did not start" not in str(error):
            raise
        return asyncio.run(_session(*arguments))
