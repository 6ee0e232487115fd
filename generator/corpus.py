"""Merge listings of the same paper into Papers with stable ids and unique, URL-safe slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from .models import Listing, Paper, SourceRef

SLUG_MAX = 80  # characters; long enough to read, short enough for a URL
_NON_WORD = re.compile(r"[\W_]+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """The key two listings of one paper share: NFKC, case-folded, punctuation and spaces folded,
    invisible format characters (zero-width space, soft hyphen, BOM) dropped."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(_NON_WORD.sub(" ", visible).split())


def paper_id(title: str) -> str:
    """A stable id from the normalised title, independent of input order."""
    return _id_of_key(normalise_title(title))


def _id_of_key(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """ASCII lowercase words joined by hyphens, cut at a word boundary; never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "paper"


def merge_papers(listings: Iterable[Listing]) -> tuple[Paper, ...]:
    """One Paper per normalised title, keeping every source; the earliest collection date wins."""
    groups: dict[str, list[Listing]] = {}
    for listing in listings:
        groups.setdefault(normalise_title(listing.title), []).append(listing)
    drafts = []
    for key, group in groups.items():
        # The earliest listing gives the title and abstract; ties go to the longer abstract.
        group.sort(key=lambda li: (li.source.collected, -len(li.abstract), li.source.file, li.line))
        first = group[0]
        sources = tuple(SourceRef(file=li.source.file, line=li.line, collected=li.source.collected,
                                  query=li.source.query) for li in group)
        pid = _id_of_key(key)
        drafts.append((first.source.collected, pid, first, sources))
    # Slugs are handed out in order of first appearance, so a paper that arrives later never
    # takes the slug of one that was already published.
    drafts.sort(key=lambda d: (d[0], d[1]))
    taken: set[str] = set()
    papers = []
    for first_seen, pid, first, sources in drafts:
        base = slug = slugify(first.title)
        if slug in taken:
            slug = f"{base}-{pid[:6]}"
            n = 2
            while slug in taken:  # another title may itself end in these six characters
                slug, n = f"{base}-{pid[:6]}-{n}", n + 1
        taken.add(slug)
        papers.append(Paper(id=pid, slug=slug, title=first.title, abstract=first.abstract,
                            first_seen=first_seen, sources=sources))
    return tuple(papers)
