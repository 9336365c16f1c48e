"""Adaptive Cards drawn by the official JavaScript renderer (npm `adaptivecards`, installed by
.ci/run into tests/.cards) in the system's headless Chromium, at a given width, and measured:
elements that stick out of the card, text clipped in its box, and words broken across lines."""
from __future__ import annotations

import base64
import os
from pathlib import Path

RENDERER = Path(os.environ.get("ADAPTIVECARDS_JS",
                               Path(__file__).parent / ".cards/node_modules/adaptivecards/dist/adaptivecards.min.js"))
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<style>body {{ margin: 0; background: #f5f5f5; }} #host {{ background: #fff; margin: 8px; }}</style>
<script src="{renderer}"></script></head><body><div id="host"></div></body></html>"""

# Teams' font first, then what Linux has: a wider fallback font makes the check stricter, not looser.
HOST_CONFIG = {"fontFamily": "'Segoe UI', 'Helvetica Neue', 'DejaVu Sans', sans-serif"}

DRAW = """
const [card, width, config] = arguments;
const host = document.getElementById('host');
host.style.width = width + 'px';
host.innerHTML = '';
const adaptive = new AdaptiveCards.AdaptiveCard();
adaptive.hostConfig = new AdaptiveCards.HostConfig(config);
const context = new AdaptiveCards.SerializationContext();
adaptive.parse(card, context);
host.appendChild(adaptive.render());
const events = [];
for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
return events;
"""

# Returns what is wrong at this width: overflowing elements, clipped texts, words broken mid-word.
MEASURE = r"""
const host = document.getElementById('host');
const box = host.getBoundingClientRect();
const out = {overflow: [], clipped: [], broken: [], texts: 0, words: 0};
const describe = el => (el.tagName + '.' + (el.className || '') + ' ' + (el.textContent || '').trim().slice(0, 60));
for (const el of host.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) out.overflow.push(describe(el));
  const style = getComputedStyle(el);
  if (el.childNodes.length && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
      && el.scrollWidth > el.clientWidth + 1 && style.display !== 'inline') out.clipped.push(describe(el));
}
const walker = document.createTreeWalker(host, NodeFilter.SHOW_TEXT);
const range = document.createRange();
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const text = node.textContent;
  if (!text.trim()) continue;
  out.texts += 1;
  const tr = (range.selectNodeContents(node), range.getBoundingClientRect());
  if (tr.width > 0 && (tr.right > box.right + 0.5 || tr.left < box.left - 0.5)) out.overflow.push('text ' + text.slice(0, 60));
  // A word is split at spaces, hyphens, dashes and slashes only; a link may wrap anywhere.
  for (const m of text.matchAll(/[^\s\-–—\/·]+/g)) {
    if (/^https?:|\.\w+\//.test(m[0]) || text.includes('://')) continue;
    out.words += 1;
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const tops = new Set([...range.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
    if (tops.size > 1) out.broken.push(m[0]);
  }
}
return out;
"""


def page(tmp_path: Path) -> str:
    path = tmp_path / "cards.html"
    path.write_text(PAGE.format(renderer=RENDERER.resolve().as_uri()), encoding="utf-8")
    return path.as_uri()


def without_teams_part(card: dict) -> dict:
    """The renderer knows Adaptive Cards, not Teams' own `msteams` property (as the schema check)."""
    return {k: v for k, v in card.items() if k != "msteams"}


def draw(driver, card: dict, width: int) -> list[str]:
    return driver.execute_script(DRAW, without_teams_part(card), width, HOST_CONFIG)


def measure(driver) -> dict:
    return driver.execute_script(MEASURE)


def shot(driver, path: Path) -> None:
    """The card as drawn, the page's whole height."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
        "x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(data["data"]))
