"""Checks of a rendered console page in a real browser: the language, no raw message keys,
no serious accessibility violations (axe-core from web/node_modules, injected here only),
and nothing wider than the viewport (the phone layout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import BrowserContext, Page

from proctor.config import REPO_ROOT
from support.wait import wait_until_sync

CATALOGS = REPO_ROOT / "web" / "static" / "i18n"
AXE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
LANG_KEY = "proctor.lang"
LANGS = ("zh-CN", "en-US")
MESSAGES = {lang: json.loads((CATALOGS / f"{lang}.json").read_text()) for lang in LANGS}
"""Each console language's catalog, for tests that expect a message as the page shows it."""

# every text and the attributes people read, of every element (shadow-free pages)
TEXTS_JS = """
() => {
  const texts = [document.title, document.body.innerText];
  for (const node of document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = node.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts.join('\\n');
}
"""

# elements reaching past the right edge of the viewport (hidden ones do not count)
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width + 1) {
    wide.push(`document ${document.documentElement.scrollWidth}px > ${width}px`);
  }
  for (const node of document.body.querySelectorAll('*')) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(node).position === 'fixed' && node.closest('[hidden]')) continue;
    if (box.right > width + 1 || box.left < -1) {
      const name = `${node.tagName.toLowerCase()}${node.id ? '#' + node.id : ''}`;
      wide.push(`${name}.${[...node.classList].join('.')} `
                + `${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return wide;
}
"""


def catalog_keys() -> set[str]:
    """Every key of the catalogs (both have the same, a test says so)."""
    return set(json.loads((CATALOGS / "zh-CN.json").read_text()))


def console_page(browser: BrowserContext, lang: str, viewport: dict[str, int]) -> Page:
    """A new page that speaks ``lang`` (as if the user had switched) at ``viewport``."""
    page = browser.new_page()
    page.set_viewport_size(viewport)
    page.add_init_script(f"localStorage.setItem({json.dumps(LANG_KEY)}, {json.dumps(lang)})")
    return page


def wait_js(page: Page, script: str, arg: Any = None, timeout: float = 20.0) -> Any:
    """Evaluate ``script`` (an expression, or a function of ``arg``) until it is truthy, and
    return it. Playwright's wait_for_function evaluates its predicate with eval(), which the
    console's Content-Security-Policy (script-src 'self') refuses; page.evaluate is allowed."""
    result = wait_until_sync(lambda: page.evaluate(script, arg), timeout, interval=0.1)
    assert result, f"{page.url}: still false after {timeout:g} s: {script}"
    return result


def wait_ready(page: Page) -> None:
    """Until the page's shell has drawn (startPage() sets body[data-ready])."""
    page.wait_for_selector("body[data-ready='true']", timeout=20_000)


def raw_keys(page: Page) -> list[str]:
    """Message keys (or the missing-message mark) shown on the page instead of their text."""
    text: str = page.evaluate(TEXTS_JS)
    found = sorted(key for key in catalog_keys() if key in text)
    return found + (["⚠ (a missing message)"] if "⚠" in text else [])


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    assert AXE.exists(), "axe-core is missing: run scripts/test (npm ci in web/)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # not a <script>: the console's CSP refuses inline ones
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def overflowing(page: Page) -> list[str]:
    """What reaches past the viewport's edges (must be empty on a phone)."""
    wide: list[str] = page.evaluate(OVERFLOW_JS)
    return wide


def check_page(page: Page, lang: str) -> None:
    """The page speaks ``lang``, shows no raw key and has no serious axe violation."""
    wait_ready(page)
    assert page.evaluate("document.documentElement.lang") == lang, page.url
    assert not (keys := raw_keys(page)), f"{page.url} shows raw keys: {keys}"
    assert not (found := serious_violations(page)), f"{page.url}: {json.dumps(found, indent=1)}"


def screenshot(page: Page, path: Path) -> None:
    """A small PNG of the viewport."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)


def log_in(page: Page, url: str, username: str, password: str, next_path: str) -> None:
    """Log in through the console's form and wait until ``next_path`` has drawn."""
    page.context.clear_cookies()
    page.goto(f"{url}/login?next={quote(next_path, safe='')}")
    wait_ready(page)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-button")
    page.wait_for_url(f"{url}{next_path}")
    wait_ready(page)


def page_error(page: Page) -> str:
    """Until the page shows its error line (#page-error), and its text: said in words,
    never empty nor a message template with its ``{placeholders}`` left in."""
    wait_js(page, "!document.getElementById('page-error').hidden")
    message = page.locator("#page-error").text_content() or ""
    assert message and "{" not in message, f"{page.url}: page error {message!r}"
    return message


def check_refused_page(page: Page, url: str, login: tuple[str, str], path: str, lang: str,
                       message: str, hidden: tuple[str, ...]) -> None:
    """A user (``login``: name and password) who may not use the page at ``path`` opens it:
    the page says ``message``, the header has no entry for it, none of ``hidden`` shows, the
    page passes :func:`check_page` and nothing reaches past the viewport."""
    log_in(page, url, *login, path)
    assert page_error(page) == message
    assert page.locator(f"nav a[href='{path}']").count() == 0
    for selector in hidden:
        assert page.locator(selector).is_hidden(), f"{path}: {selector} shows"
    check_page(page, lang)
    assert overflowing(page) == []


def assert_refused(answer: httpx.Response) -> None:
    """The API refused the caller (403), saying why."""
    assert answer.status_code == 403 and answer.json()["detail"], answer.text
