"""Headless Chromium from Debian's packages (scripts/install.sh), driven by Playwright for Python.

Playwright's own browser download is never used: the tests point it at /usr/bin/chromium. One browser per
test session (per xdist worker); one context per test. Screenshots go to tests/artifacts/ (not committed);
with NEWSBOT_DOCS_IMG=1 the README's ones are also written to docs/img/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.browse import Filled, browse_server, fill_store
from tests.support.httpserver import LocalServer

CHROMIUM = Path(os.environ.get("NEWSBOT_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
DOCS_IMG = Path(__file__).resolve().parent.parent.parent / "docs" / "img"
VIEWPORT = {"width": 1100, "height": 720}


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: run scripts/install.sh (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/install.sh (Debian's chromium package)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class Browsed:
    base: str
    filled: Filled
    canary: LocalServer
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browsed(tmp_path_factory) -> Iterator[Browsed]:
    """A filled store served by `newsbot browse` (a real server in a subprocess); the hostile page's
    resources point at `canary`, a local server that records any request reaching it."""
    tmp = tmp_path_factory.mktemp("browse")
    with LocalServer() as canary:
        filled = fill_store(str(tmp / "store.db"), canary=canary.base_url)
        with browse_server(tmp, filled.url) as (base, _):
            yield Browsed(base, filled, canary)


@pytest.fixture
def page(browser, browsed):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    browsed.requests.clear()
    context.on("request", lambda req: browsed.requests.append(req.url))
    pg = context.new_page()
    yield pg
    context.close()


def shoot(page, name: str, docs: bool = False) -> Path:
    """A screenshot of the viewport under tests/artifacts/ (and docs/img/ when asked, for the README)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # the README's copies are the top of the view, so that each stays a small file (well under 150 KB)
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": 520} if docs else None)
    if docs and os.environ.get("NEWSBOT_DOCS_IMG") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"{name}.png")
    return path


def used_fonts(page, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the element's text with (family -> glyph count), via DevTools."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    cdp.send("CSS.enable")
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}
