"""Merge listings of the same paper into Papers with stable ids and unique, URL-safe slugs."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from generator.models import Listing, Paper, SourceRef

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
    """merge_papers' papers and what lets extend_merged add listings to them exactly: for
    the arXiv id and the title key (normalise_title) of every listing merged, the position
    of its paper (a title key in several papers: -1)."""

    papers: tuple[Paper, ...]
    by_arxiv_id: dict[str, int]
    by_title_key: dict[str, int]


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
    papers, by_arxiv_id, by_title_key = _merge(listings, made, set())
    return Merged(papers, by_arxiv_id, by_title_key)


def extend_merged(merged: Merged, listings: Iterable[Listing], titles: Titles | None = None
                  ) -> Merged | None:
    """merge_listings of merged's listings and these, made from `merged` without its
    listings, or None when that cannot be done exactly (then merge them all).

    Exact when each new listing either
    - is of a new paper: neither its arXiv id nor its title key is a merged listing's, and
      the new papers come after every merged one in merge order (earliest collection, then
      id), so merged papers keep their slugs and new ones take theirs after them; or
    - lists a merged paper again, later than all its listings: its arXiv id is that
      paper's (or it has none) and its title key that paper's alone. The paper then gains
      the listing at the end of its group: its title, date, id and slug stay, and a
      metadata field it lacked is taken from the new listing, as a merge of all does.
    A new week's dump is such listings; a corrected or older dump is not, and costs one
    merge of all."""
    made = _title_maker(titles)
    listed = list(listings)
    if not listed:
        return merged
    fresh: list[Listing] = []
    again: dict[int, list[Listing]] = {}  # merged paper's position -> its new listings
    for li in listed:
        key = made(li.title)[0]
        by_id = merged.by_arxiv_id.get(li.arxiv_id) if li.arxiv_id else None
        by_title = merged.by_title_key.get(key)
        if by_id is None and by_title is None:
            fresh.append(li)
        elif (by_title is not None and by_title >= 0
              and (by_id == by_title if li.arxiv_id else True)):
            again.setdefault(by_title, []).append(li)
        else:  # a title with a new or another paper's id, or a title of several papers
            return None
    papers, by_arxiv_id, by_title_key = _merge(fresh, made, {p.slug for p in merged.papers})
    if papers and merged.papers:
        last, first = merged.papers[-1], papers[0]
        if (first.first_seen, first.id) <= (last.first_seen, last.id):
            return None
    old = list(merged.papers)
    for position, group in again.items():
        grown = _relisted(old[position], group)
        if grown is None:
            return None
        old[position] = grown
    offset = len(old)
    return Merged(tuple(old) + papers,
                  {**merged.by_arxiv_id, **{i: n + offset for i, n in by_arxiv_id.items()}},
                  {**merged.by_title_key,
                   **{k: n + offset if n >= 0 else n for k, n in by_title_key.items()}})


def _relisted(paper: Paper, listings: list[Listing]) -> Paper | None:
    """`paper` with these listings of it added after its own, or None if one of them is not
    later than all of its listings (then where it goes in the group depends on what the
    paper no longer holds: the abstracts' lengths)."""
    newest = max(s.collected for s in paper.sources)
    if any(li.source.collected <= newest for li in listings):
        return None
    listings = sorted(listings, key=lambda li: (li.source.collected, -len(li.abstract),
                                                li.source.file, li.line))
    sources = paper.sources + tuple(
        SourceRef(file=li.source.file, line=li.line, collected=li.source.collected,
                  query=li.source.query, origin=li.source.origin) for li in listings)

    def first(mine: Any, field: str) -> Any:  # the paper's own value, else the first given
        return mine or next((v for li in listings if (v := getattr(li, field))), mine)

    return dataclasses.replace(
        paper, sources=sources, abstract=first(paper.abstract, "abstract"),
        authors=first(paper.authors, "authors"), arxiv_id=first(paper.arxiv_id, "arxiv_id"),
        published=first(paper.published, "published"), url=first(paper.url, "url"),
        pdf_url=first(paper.pdf_url, "pdf_url"),
        categories=tuple(dict.fromkeys([*paper.categories,
                                        *(c for li in listings for c in li.categories)])))


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
           taken: set[str]) -> tuple[tuple[Paper, ...], dict[str, int], dict[str, int]]:
    """The papers of merge_papers, with slugs other than `taken` (which it extends), and
    the position of each listing's paper by its arXiv id and by its title key (-1: a title
    key in several papers)."""

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
    by_arxiv_id: dict[str, int] = {}
    by_title_key: dict[str, int] = {}
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
                                  query=li.source.query, origin=li.source.origin)
                        for li in group)
        papers.append(Paper(id=pid, slug=slug, title=first.title, first_seen=first_seen,
                            sources=sources, **_metadata(group)))
        position = len(papers) - 1
        for li in group:
            key = key_of(li.title)
            if by_title_key.setdefault(key, position) != position:
                by_title_key[key] = -1
            if li.arxiv_id:
                by_arxiv_id[li.arxiv_id] = position
    return tuple(papers), by_arxiv_id, by_title_key


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
