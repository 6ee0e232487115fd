"""Take the README's screenshots: four pages, at 1280 and 390 px, light and dark.

Usage: python docs/screenshots/take.py [SITE]   (default: site/, built with `digest build`)
Needs Debian's chromium at /usr/bin/chromium and the test extras (playwright).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PAGES = {
    "home": "index.html",
    "theme": "themes/model-based-rl/index.html",
    "week": "weeks/2025-W15/model-based-rl.html",
    "paper": "papers/mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html",
}
WIDTHS = {"wide": (1280, 800), "phone": (390, 844)}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(site: Path) -> None:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for scheme in ("light", "dark"):
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height},
                                              color_scheme=scheme)
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(f"{base}/{path}")
                    out = HERE / f"{name}-{width_name}-{scheme}.png"
                    page.screenshot(path=str(out))
                    print(out.relative_to(HERE.parent.parent))
                context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))
