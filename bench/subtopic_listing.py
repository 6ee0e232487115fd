"""List a built site's sub-topic assignments for one week, for judging by hand.

Reads weeks/<week>/<theme>.html (the sub-topic headings and the papers under each) and the
abstracts from data/papers/*.json; prints Markdown, one section per theme and sub-topic with
each paper's title and the start of its abstract. Used to make bench/judged/subtopics-*.md:

    python bench/subtopic_listing.py SITE_DIR 2025-W17 > listing.md
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path


class _Week(HTMLParser):
    """Sub-topic headings (h2.subtopic) and paper titles (h3.paper-title) in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []  # (kind, text)
        self._kind: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "h2" and "subtopic" in classes:
            self._kind, self._text = "topic", []
        elif tag == "h3" and "paper-title" in classes:
            self._kind, self._text = "paper", []

    def handle_endtag(self, tag: str) -> None:
        if self._kind and tag in ("h2", "h3"):
            self.rows.append((self._kind, " ".join("".join(self._text).split())))
            self._kind = None

    def handle_data(self, data: str) -> None:
        if self._kind:
            self._text.append(data)


def main(site: Path, week: str) -> None:
    abstracts = {}
    for part in sorted((site / "data" / "papers").glob("*.json")):
        for paper in json.loads(part.read_text()):
            abstracts[paper["title"]] = paper["abstract"]
    for page in sorted((site / "weeks" / week).glob("*.html")):
        if page.stem in ("index", "other"):
            continue
        parser = _Week()
        parser.feed(page.read_text())
        print(f"\n## {page.stem}\n")
        topic = "(no sub-topic)"
        for kind, text in parser.rows:
            if kind == "topic":
                topic = text
                print(f"\n### {topic}\n")
                continue
            title = text.removesuffix(" code").strip()
            abstract = abstracts.get(title, "")
            print(f"- [ ] {title}\n  > {abstract[:300]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "2025-W17")
