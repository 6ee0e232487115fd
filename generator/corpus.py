"""Merge listings of the same paper into Papers with stable ids and unique, URL-safe slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .models import Listing, Paper, SourceRef

SLUG_MAX = 80  # characters; long enough to read, short enough for a URL
_NON_WORD = re.compile(r"[\W_]+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """The key two listings of one paper share: NFKC, case-folded, punctuation and spaces folded,
    invisible format characters (zero-width space, soft hyphen, BOM) dropped."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    if not folded.isascii():  # no ASCII character is a format character: skip the scan
        folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(_NON_WORD.sub(" ", folded).split())


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


Titles = dict[str, tuple[str, str]]  # title -> (normalise_title(title), slugify(title))


def title_keys(titles: Iterable[str]) -> Titles:
    """Each title's key and slug, for merge_papers."""
    return {title: _title_key(title) for title in titles}


def _title_key(title: str) -> tuple[str, str]:
    return normalise_title(title), slugify(title)


@dataclass(frozen=True, slots=True)
class Merged:
    """merge_papers' papers and what lets extend_merged add listings to them exactly: the
    arXiv ids and title keys (normalise_title) of every listing merged."""

    papers: tuple[Paper, ...]
    arxiv_ids: frozenset[str]
    title_keys: frozenset[str]


def merge_papers(listings: Iterable[Listing], titles: Titles | None = None
                 ) -> tuple[Paper, ...]:
    """One Paper per arXiv id, else per normalised title, keeping every source; the earliest
    collection date wins, and each metadata field comes from the earliest listing that has it.

    A listing without an arXiv id joins the paper whose listings carry its title, so a paper
    seen once in a text dump and once in an arXiv feed is one paper.

    `titles`: the keys and slugs of titles made before (title_keys; a build keeps each
    dump's with its parse); the others are made here and added to it.
    """
    return merge_listings(listings, titles).papers


def merge_listings(listings: Iterable[Listing], titles: Titles | None = None) -> Merged:
    """merge_papers, with what extend_merged needs."""
    made = _title_maker(titles)
    papers, arxiv_ids, title_keys = _merge(listings, made, set())
    return Merged(papers, frozenset(arxiv_ids), frozenset(title_keys))


def extend_merged(merged: Merged, listings: Iterable[Listing], titles: Titles | None = None
                  ) -> Merged | None:
    """merge_listings of merged's listings and these, made from `merged` without its
    listings, or None when that cannot be done exactly (then merge them all).

    Exact when the new listings are new papers: none shares an arXiv id or a title key with
    a merged listing (so no merged paper changes, gains a listing or shares a title), and
    each new paper comes after every merged one in merge order (earliest collection, then
    id), so the merged papers keep their slugs and the new ones take theirs after them, as
    in a merge of all. A new week's dump of new papers is such listings; a dump that lists
    a known paper again (Hugging Face search pages often do), a corrected or an older dump
    is not, and costs one merge of all."""
    made = _title_maker(titles)
    fresh = list(listings)
    if not fresh:
        return merged
    if any(li.arxiv_id in merged.arxiv_ids or made(li.title)[0] in merged.title_keys
           for li in fresh):
        return None
    papers, arxiv_ids, title_keys = _merge(fresh, made, {p.slug for p in merged.papers})
    if papers and merged.papers:
        last, first = merged.papers[-1], papers[0]
        if (first.first_seen, first.id) <= (last.first_seen, last.id):
            return None
    return Merged(merged.papers + papers, merged.arxiv_ids | arxiv_ids,
                  merged.title_keys | title_keys)


def _title_maker(titles: Titles | None) -> Callable[[str], tuple[str, str]]:
    """A title's key and slug, from `titles` (extended with each one made)."""
    known: Titles = {} if titles is None else titles

    def made(title: str) -> tuple[str, str]:
        found = known.get(title)
        if found is None:
            found = known[title] = _title_key(title)
        return found

    return made


def _merge(listings: Iterable[Listing], made: Callable[[str], tuple[str, str]],
           taken: set[str]) -> tuple[tuple[Paper, ...], set[str], set[str]]:
    """The papers of merge_papers, with slugs other than `taken` (which it extends), and the
    listings' arXiv ids and title keys."""

    def key_of(title: str) -> str:
        return made(title)[0]

    groups = _group(listings, key_of)
    drafts = []
    for group in groups:
        # The earliest listing gives the title and abstract; ties go to the longer abstract.
        if len(group) > 1:
            group.sort(key=lambda li: (li.source.collected, -len(li.abstract), li.source.file,
                                       li.line))
        drafts.append((group[0].source.collected, key_of(group[0].title), group))
    # Ids come from the title, so they do not change when a later source adds an arXiv id;
    # only papers that share a title (different arXiv ids) take their id from the arXiv id.
    counts = Counter(key for _, key, _ in drafts)
    shared = {key for key, n in counts.items() if n > 1}
    keyed = []
    for first_seen, key, group in drafts:
        ident = next((li.arxiv_id for li in group if li.arxiv_id), "") if key in shared else ""
        pid = _id_of_key(f"arxiv:{ident}" if ident else key)
        keyed.append((first_seen, pid, group))
    # Slugs are handed out in order of first appearance, so a paper that arrives later never
    # takes the slug of one that was already published.
    keyed.sort(key=lambda d: (d[0], d[1]))
    papers = []
    arxiv_ids: set[str] = set()
    title_keys: set[str] = set()
    for first_seen, pid, group in keyed:
        first = group[0]
        base = slug = made(first.title)[1]
        if slug in taken:
            slug = f"{base}-{pid[:6]}"
            n = 2
            while slug in taken:  # another title may itself end in these six characters
                slug, n = f"{base}-{pid[:6]}-{n}", n + 1
        taken.add(slug)
        sources = tuple(SourceRef(file=li.source.file, line=li.line, collected=li.source.collected,
                                  query=li.source.query) for li in group)
        papers.append(Paper(id=pid, slug=slug, title=first.title, first_seen=first_seen,
                            sources=sources, **_metadata(group)))
        for li in group:
            title_keys.add(key_of(li.title))
            if li.arxiv_id:
                arxiv_ids.add(li.arxiv_id)
    return tuple(papers), arxiv_ids, title_keys


def _metadata(group: list[Listing]) -> dict[str, Any]:
    """Each metadata field from the first listing of the group that has it."""
    if len(group) == 1:  # most papers: one listing, as it is (the same values, sooner)
        li = group[0]
        return {"abstract": li.abstract, "authors": li.authors, "arxiv_id": li.arxiv_id,
                "published": li.published, "url": li.url, "pdf_url": li.pdf_url,
                "categories": tuple(dict.fromkeys(li.categories))}
    return {"abstract": next((li.abstract for li in group if li.abstract), ""),
            "authors": next((li.authors for li in group if li.authors), ()),
            "arxiv_id": next((li.arxiv_id for li in group if li.arxiv_id), ""),
            "published": next((li.published for li in group if li.published), None),
            "url": next((li.url for li in group if li.url), ""),
            "pdf_url": next((li.pdf_url for li in group if li.pdf_url), ""),
            "categories": tuple(dict.fromkeys(c for li in group for c in li.categories))}


def _group(listings: Iterable[Listing], key_of: Callable[[str], str]) -> list[list[Listing]]:
    """Listings grouped by arXiv id, then by normalised title (`key_of`) for those without
    one."""
    by_id: dict[str, list[Listing]] = {}
    by_title: dict[str, list[Listing]] = {}
    for listing in listings:
        if listing.arxiv_id:
            by_id.setdefault(listing.arxiv_id, []).append(listing)
        else:
            by_title.setdefault(key_of(listing.title), []).append(listing)
    ids_of_title: dict[str, list[str]] = {}
    for ident, group in by_id.items():
        for key in {key_of(li.title) for li in group}:
            ids_of_title.setdefault(key, []).append(ident)
    groups = []
    for key, group in by_title.items():
        ids = ids_of_title.get(key)
        if not ids:
            groups.append(group)
            continue
        # Two arXiv papers with one title: the listing joins the one seen first.
        target = min(ids, key=lambda i: (min((li.source.collected, li.source.file, li.line)
                                             for li in by_id[i]), i))
        by_id[target].extend(group)
    return list(by_id.values()) + groups
