"""Read the listing dumps named in the manifest into Listing records (each with file and line).

A parser is a plain function `(text, path) -> (records, problems)`; `PARSERS` maps a format
name to one, and `sniff_format` picks the name by looking at the content, because a dump's
suffix says little about the layout inside (`--format` or a manifest `format:` overrides it).
A bad record is reported as a problem naming file and line, and skipped; a file that cannot
be read at all is one problem. The build decides whether problems are fatal (`--strict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SourceError
from generator.models import Listing, SourceInfo
from generator.stages.read.arxiv import parse_arxiv_api, parse_arxiv_listing, sniff_xml
from generator.stages.read.bibtex import parse_bibtex, sniff_bibtex
from generator.stages.read.csl_json import parse_csl_json, sniff_csl_json
from generator.stages.read.hf_api import parse_hf_api, sniff_hf_api
from generator.stages.read.hf_listing import Parsed, parse_layout_a, parse_layout_b, sniff_hf_layout
from generator.stages.read.plain import parse_plain_csv, parse_plain_json, parse_plain_yaml, sniff_plain
from generator.stages.read.rss import parse_feed
from generator.stages.read.scholarly import parse_openalex, parse_semantic_scholar, sniff_scholarly
from generator.stages.read.text import decode_text, read_dump

Parser = Callable[[str, str], Parsed]

PARSERS: dict[str, Parser] = {
    "hf-listing-a": parse_layout_a,
    "hf-listing-b": parse_layout_b,
    "arxiv-api": parse_arxiv_api,  # export.arxiv.org/api/query responses (Atom)
    "arxiv-listing": parse_arxiv_listing,  # rss.arxiv.org category feeds (RSS 2.0, Atom, RSS 1.0)
    "rss": parse_feed,  # any other RSS or Atom feed (a lab blog); sniff_xml names it
    "hf-api": parse_hf_api,  # huggingface.co/api/daily_papers (JSON)
    "semantic-scholar": parse_semantic_scholar,  # api.semanticscholar.org/graph/v1 (JSON)
    "openalex": parse_openalex,  # api.openalex.org/works (JSON)
    "bibtex": parse_bibtex,  # Zotero, Better BibTeX, Mendeley and JabRef exports
    "csl-json": parse_csl_json,  # Zotero, Mendeley, Paperpile and pandoc CSL JSON exports
    "plain-json": parse_plain_json,
    "plain-yaml": parse_plain_yaml,
    "plain-csv": parse_plain_csv,
}


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Every listing read, and every problem met on the way (file:line: reason)."""

    listings: tuple[Listing, ...]
    problems: tuple[SourceError, ...]


def sniff_format(text: str, path: str) -> str:
    """Name the parser for this content, or raise a SourceError saying what was expected."""
    layout = sniff_hf_layout(text) or sniff_xml(text)
    layout = layout or sniff_scholarly(text)  # before the other JSON sniffers: these are JSON too
    if layout is None and sniff_hf_api(text):
        layout = "hf-api"
    if layout is None and sniff_bibtex(text):
        layout = "bibtex"
    if layout is None and sniff_csl_json(text):  # before the plain lists: it is a JSON list
        layout = "csl-json"
    layout = layout or sniff_plain(text)
    if layout is None:
        raise SourceError(path, 1, "unrecognised format: expected a Hugging Face Papers "
                          "listing dump (layout A starts with 'new', layout B with "
                          "'Get trending papers in your email inbox'), an arXiv API response "
                          "or listing feed (XML), Hugging Face daily papers JSON, Semantic "
                          "Scholar or OpenAlex JSON, BibTeX, CSL-JSON, or a "
                          "JSON, YAML or CSV list of papers with a title; or name the format "
                          f"with --format ({', '.join(PARSERS)})")
    return layout


def read_source(path: Path, source: SourceInfo, display: str | None = None,
                fmt: str | None = None) -> ReadResult:
    """Parse one dump with the parser `fmt` (else the manifest's `format`, else sniffed);
    raise SourceError only when the file as a whole cannot be read."""
    shown = display or str(path)
    return parse_dump(read_dump(path, shown), source, shown, fmt)  # refused by size first


def parse_dump(data: bytes, source: SourceInfo, shown: str, fmt: str | None = None
               ) -> ReadResult:
    """read_source of a dump's bytes (`shown`: the name its messages give): ingest and fetch
    parse exactly the bytes they store."""
    decoded = decode_text(data, shown)
    name = fmt or source.format or sniff_format(decoded.text, shown)
    if name not in PARSERS:
        raise SourceError(shown, 1, f"unknown format {name!r}; known: {', '.join(PARSERS)}")
    records, problems = PARSERS[name](decoded.text, shown)
    listings = []
    for record in records:
        bad = [n for n in (record.line, record.abstract_line) if n in decoded.bad_lines]
        if bad:
            problems.append(SourceError(shown, bad[0], decoded.bad_lines[bad[0]] +
                                        "; this listing is skipped"))
            continue
        listings.append(Listing(title=record.title, abstract=record.abstract, source=source,
                                line=record.line, authors=record.authors,
                                arxiv_id=record.arxiv_id, published=record.published,
                                url=record.url, pdf_url=record.pdf_url,
                                categories=record.categories))
    problems.sort(key=lambda p: p.line)
    return ReadResult(tuple(listings), tuple(problems))


def read_sources(sources_dir: Path, sources: tuple[SourceInfo, ...]) -> ReadResult:
    """Parse every dump in the manifest, in manifest order; an unreadable file is a problem.
    (A build reads them through the cache instead: speed/cached_read.py.)"""
    listings: list[Listing] = []
    problems: list[SourceError] = []
    for source in sources:
        path = sources_dir / source.file
        try:
            result = read_source(path, source, str(path))
        except SourceError as err:
            problems.append(err)
            continue
        except OSError as err:
            problems.append(SourceError(str(path), 1, f"cannot read the file: {err.strerror}"))
            continue
        listings.extend(result.listings)
        problems.extend(result.problems)
    return ReadResult(tuple(listings), tuple(problems))
