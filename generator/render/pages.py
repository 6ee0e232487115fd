"""What every rendered file shares: the `Page` it becomes, the `Keeper` that may keep the
last build's file instead, and `Pages`, which renders a template into a page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import jinja2

from generator.errors import BuildError
from generator.models import Paper
from generator.render.environment import template_problem


class Page(NamedTuple):
    """One file of the site: its path, its bytes (None: the last build's file is kept), and
    the key of its inputs when it can be kept by the next build."""

    path: str
    data: bytes | None
    key: bytes | None = None


class Keeper(Protocol):
    """Which of the last build's files can be kept instead of being rendered again (the
    build passes speed/kept_pages.py's `Stamps`; render needs only these two methods).

    Both return a file's key and whether it can be kept. The key is a hash of everything
    the file shows (each paper by a stamp of all that any page may show of it: its fields,
    themes, evidence, sub-topics and week; each view by its `canon_parts`) and of the
    program that renders it; the next build compares it with its own. The file can be kept
    when the last build wrote it with this very key and it is still the file that build
    left; then it is not rendered (`Page.data` None)."""

    def keep(self, path: str, *parts: Any) -> tuple[bytes, bool]:
        """For a file that shows `parts` (its template or kind, its path, its context) and
        nothing else: render passes every value the template is given."""
        ...

    def keep_paper(self, path: str, kind: str, paper: Paper) -> tuple[bytes, bool]:
        """For a page that shows one paper and nothing else but its related papers (a paper
        page; `kind` its template)."""
        ...


@dataclass(frozen=True)
class Pages:
    """Renders pages of one digest: the environment, the context every page is given, the
    keeper (None: every page is rendered), and the sitemap the pages add themselves to."""

    env: jinja2.Environment
    common: Mapping[str, Any]
    keeper: Keeper | None
    built_at: dt.date  # a page's last change when it names none
    on_page: Callable[[str], None] | None = None  # told each page's path (progress)
    sitemap: list[tuple[str, dt.date]] = field(default_factory=list)

    def page(self, path: str, template: str, lastmod: dt.date | None = None,
             keep: bool = False, one: Paper | None = None,
             implied: dict[str, Any] | None = None, listed: bool = True,
             **context: Any) -> Page:
        """Render a page; with keep=True (a page that shows only its context and the
        stamps of the papers in it) it is kept if the keeper allows. `one`: the page shows
        that paper and its related papers, and nothing else of its context (a paper page;
        see Keeper.keep_paper). `implied`: more context that the stamps of the papers in
        `context` already cover (left out of the key, which it would only make slower).
        `listed` False: the page is left out of the sitemap."""
        if listed:
            self.sitemap.append((path, lastmod or self.built_at))
        if self.on_page is not None:
            self.on_page(path)
        key = None
        if keep and self.keeper is not None:
            key, kept = (self.keeper.keep(path, template, path, context) if one is None
                         else self.keeper.keep_paper(path, template, one))
            if kept:
                return Page(path, None, key)
        root = "../" * path.count("/")
        try:
            html = self.env.get_template(template).render(
                **self.common, **context, **(implied or {}), path=path, root=root)
        except jinja2.TemplateError as err:
            raise BuildError(template_problem(err, template, path)) from err
        return Page(path, html.encode("utf-8"), key)


def plain(files: Iterator[tuple[str, bytes]]) -> Iterator[Page]:
    """Files made on every build (never kept)."""
    return (Page(path, data) for path, data in files)


def kept_or_made(path: str, keyed: tuple[bytes, bool] | None,
                 make: Callable[[], bytes]) -> Page:
    """A file that is not a template page but is kept like one: `keyed` is its key and
    whether the last build's file can be kept (Keeper.keep or keep_paper; None without a
    keeper); `make` gives its bytes when it cannot."""
    if keyed is None:
        return Page(path, make())
    key, kept = keyed
    return Page(path, None if kept else make(), key)
