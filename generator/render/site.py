"""Render the digest into pages: a stream of (relative path, bytes), written by publish.

Every internal link is relative (built from the page's `root`, "../" per directory level), so
one build works from file://, at a domain root and under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import traceback
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import jinja2
from markupsafe import Markup

from generator.errors import BuildError
from generator.models import Paper, ThemeSpec, Week
from generator.render.bib import paper_bib, paper_bib_path, paper_entry, week_theme_bib_path
from generator.render.charts import paper_map, theme_over_weeks, themes_over_weeks
from generator.render.feeds import feed_path, make_feed
from generator.render.hosting import base_path, host_files
from generator.speed.kept_pages import Stamps
from generator.stages.digest import OTHER, Digest
from generator.stages.links import reading_links
from generator.text.markup import linkify, paragraphs, render_markdown
from generator.text.tex import tex_to_html, tex_to_text

if TYPE_CHECKING:  # only named in annotations: importing it would import scikit-learn
    from generator.speed.workers import Shares
    from generator.stages.themes import Subtopic

PACKAGE_TEMPLATES = Path(__file__).parents[1] / "templates"  # inside an installed wheel
REPO_TEMPLATES = Path(__file__).parents[2] / "templates"  # in a source checkout
PAPERS_JSON = "data/papers.json"  # the index of the public data's parts (docs/data.md)
DATA_FORMAT = 2  # of data/papers.json; 1 was a single list of every paper
DATA_PART = 5000  # papers per part of the public data: about 9 MB
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")



class Page(NamedTuple):
    """One file of the site: its path, its bytes (None: the last build's file is kept,
    reuse.py), and the key of its inputs when it can be kept by the next build."""

    path: str
    data: bytes | None
    key: bytes | None = None


def default_templates_dir() -> Path:
    """The shipped templates: inside the package when installed, beside it in a checkout."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else REPO_TEMPLATES


def make_env(overrides: Path | None = None) -> jinja2.Environment:
    """User templates first, then the defaults (also reachable as 'default/<name>')."""
    defaults = jinja2.FileSystemLoader(str(default_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders += [jinja2.PrefixLoader({"default": defaults}), defaults]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build makes a new environment (`digest serve` too, for each rebuild), so a
        # template cannot change while it is used: no file's date is checked each time a
        # template is used (for a paper page: paper.html, base.html, paper_meta.html).
        auto_reload=False,
    )
    # A paper's title and abstract are converted on its page and again in every list that
    # shows it; the conversions are pure, so each text is converted once.
    env.filters.update(linkify=linkify, paragraphs=paragraphs, markdown=render_markdown,
                       date_words=date_words, snippet=snippet,
                       tex=functools.lru_cache(maxsize=8192)(tex_to_html),
                       tex_text=functools.lru_cache(maxsize=8192)(tex_to_text))
    env.globals.update(week_range=week_range, reading_links=reading_links)
    return env


def template_problem(err: jinja2.TemplateError, template: str, path: str) -> str:
    """'file:line: message (while rendering page)': where a template broke, in plain words."""
    where = getattr(err, "filename", None) or template
    line = getattr(err, "lineno", None)
    if isinstance(err, jinja2.TemplateNotFound):
        searched = ", ".join(str(p) for p in [default_templates_dir()])
        return f"template {err.name!r} not found (looked in your templates/ and {searched})"
    at = f"{where}:{line}" if line else where
    if line is None and err.__traceback__ is not None:
        for frame, lineno in traceback.walk_tb(err.__traceback__):
            if frame.f_code.co_filename.endswith((".html", ".xml")):
                at = f"{frame.f_code.co_filename}:{lineno}"
    return f"{at}: {err.message or err} (while rendering {path})"


def date_words(day: dt.date) -> str:
    """'24 April 2025', the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def week_range(week: Week) -> str:
    """'21–27 April 2025', '31 March – 6 April 2025' or '29 December 2025 – 4 January 2026'."""
    a, b = week.start, week.end
    if a.year != b.year:
        return f"{date_words(a)} – {date_words(b)}"
    if a.month != b.month:
        return f"{a.day} {MONTHS[a.month - 1]} – {date_words(b)}"
    return f"{a.day}–{date_words(b)}"


def snippet(text: str, limit: int = 280) -> str:
    """The start of a text, cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


@dataclass(frozen=True)
class ThemeView:
    """A theme as pages show it: its spec, rendered description and papers."""

    spec: ThemeSpec
    description: Markup
    papers: tuple[Paper, ...]

    @property
    def slug(self) -> str:
        return self.spec.slug

    def canon_parts(self) -> tuple[ThemeSpec, str]:
        """What a kept page may show of a theme: not its papers (reuse.Stamps)."""
        return self.spec, str(self.description)

    @property
    def name(self) -> str:
        return self.spec.name


def paper_path(paper: Paper) -> str:
    return f"papers/{paper.slug}.html"


def theme_path(slug: str, page: int = 0, view: str = "") -> str:
    """A theme's pages: newest first (view ""), most confident first ("confidence"), or one
    sub-topic ("topic-<key>"). Page 0 is the view's front page (its newest papers); pages 1,
    2, ... are its archive, numbered from the oldest (see archive_pages)."""
    name = view or "index"
    return f"themes/{slug}/{name}.html" if page == 0 else f"themes/{slug}/{name}-{page}.html"


def week_path(key: str, theme: str | None = None, page: int = 1) -> str:
    if theme is None:
        return f"weeks/{key}/index.html"
    return f"weeks/{key}/{theme}.html" if page == 1 else f"weeks/{key}/{theme}-{page}.html"


def render_site(digest: Digest, env: jinja2.Environment,
                on_page: Callable[[str], None] | None = None, part: str = "all",
                share: Shares | None = None, stamps: Stamps | None = None) -> Iterator[Page]:
    """Yield every page of the site; the same digest always yields the same bytes.

    `part` splits the work between processes: "papers" is the paper pages and their .bib
    files (with `share`, only the chunks of digest.papers this process takes from it), "rest"
    everything else; "all" is both. With `stamps` (the digest's papers stamped, with the last
    build's record), pages whose inputs are as the last build rendered them are kept, not
    rendered (Page.data None; see reuse.py)."""
    themes = tuple(ThemeView(spec=t, description=render_markdown(t.description),
                             papers=digest.papers_in(t.slug)) for t in digest.themes)
    themes = tuple(t for t in themes if t.papers or t.slug != OTHER.slug)
    fragments: dict[Hashable, Markup] = {}

    def once(key: Hashable, caller: Callable[[], Markup]) -> Markup:
        """`{% call once(key) %}...{% endcall %}`: the block rendered once per build for
        its key, which must name everything the block shows besides the digest (a paper's
        list item: the paper and the list's arguments; the same item shows in its theme's
        list, its sub-topic's list and its weekly theme page)."""
        found = fragments.get(key)
        if found is None:
            found = fragments[key] = caller()
        return found

    common = {"site": digest.config, "digest": digest, "themes": themes,
              "built_at": digest.built_at, "paper_path": paper_path, "theme_path": theme_path,
              "week_path": week_path, "feed_path": feed_path,
              "theme_names": {t.slug: t.name for t in digest.themes}, "once": once}

    sitemap: list[tuple[str, dt.date]] = []

    def page(path: str, template: str, lastmod: dt.date | None = None, keep: bool = False,
             one: Paper | None = None, implied: dict[str, Any] | None = None,
             **context: Any) -> Page:
        """Render a page; with keep=True (a page that shows only its context and the
        stamps of the papers in it) it is kept if reuse allows. `one`: the page shows that
        paper and its related papers, and nothing else of its context (a paper page; see
        Stamps.keep_paper). `implied`: more context that the stamps of the papers in
        `context` already cover (left out of the key, which it would only make slower)."""
        sitemap.append((path, lastmod or digest.built_at))
        if on_page is not None:
            on_page(path)
        key = None
        if keep and stamps is not None:
            key, kept = (stamps.keep(path, template, path, context) if one is None
                         else stamps.keep_paper(path, template, one))
            if kept:
                return Page(path, None, key)
        root = "../" * path.count("/")
        try:
            html = env.get_template(template).render(**common, **context, **(implied or {}),
                                                     path=path, root=root)
        except jinja2.TemplateError as err:
            raise BuildError(template_problem(err, template, path)) from err
        return Page(path, html.encode("utf-8"), key)

    def bib(paper: Paper) -> Page:
        path = paper_bib_path(paper)
        keyed = (stamps.keep_paper(path, "bib", paper, related=False)
                 if stamps is not None else None)
        return _kept_or_made(path, keyed, lambda: paper_bib(paper)[1])

    if part == "papers":
        for paper in (digest.papers if share is None
                      else (digest.papers[i] for chunk in share for i in chunk)):
            yield _paper_page(page, digest, paper)
            yield bib(paper)
        return
    latest = digest.weeks[-1] if digest.weeks else None
    yield page("index.html", "home.html", week=latest, week_nav=_week_nav(digest, latest),
               week_themes=_week_themes(digest, themes, latest),
               note=digest.note_for(latest) if latest else None)
    yield page("about.html", "about.html", about=_about(digest))
    yield page("archive.html", "archive.html", weeks=_archive_rows(digest, themes),
               chart=themes_over_weeks(digest, themes))
    yield page("themes/index.html", "themes.html")
    yield page("search.html", "search.html")
    for theme in themes:
        yield from _theme_pages(page, digest, theme)
    for week in digest.weeks:
        nav = _week_nav(digest, week)
        week_note = digest.note_for(week)
        papers_of_week = digest.papers_of_week(week)
        newest = max(p.first_seen for p in papers_of_week)
        yield page(week_path(week.key), "week.html", newest, keep=True, week=week,
                   week_nav=nav, note=week_note,
                   week_themes=_week_themes(digest, themes, week))
        # Every theme gets a page every week, even an empty one, so that a reader following
        # one theme can always step to the previous and next week.
        for theme in themes:
            note = digest.note_for(week, theme.slug)
            papers = digest.papers_in(theme.slug, papers_of_week)
            chosen = note or week_note
            highlighted = set(chosen.paper_ids) & {p.id for p in papers} if chosen else set()
            first = tuple(p for p in digest.highlights_first(papers, chosen)
                          if p.id in highlighted)
            rest = tuple(p for p in papers if p.id not in highlighted)
            sections = ([Section("Highlights", "highlights", first)] if first else [])
            sections += _by_subtopic(digest, theme.slug, rest)
            pages = _paginate_sections(sections, digest.config.page_size)
            paths = [week_path(week.key, theme.slug, n) for n in range(1, len(pages) + 1)]
            for number, chunk in enumerate(pages, start=1):
                yield page(paths[number - 1], "week_theme.html", newest, keep=True,
                           week=week, week_nav=nav, theme=theme, papers=papers, note=note,
                           sections=chunk, highlighted=sorted(highlighted),
                           pagination={"number": number, "count": len(pages), "paths": paths})
    if part == "all":
        yield from (_paper_page(page, digest, paper) for paper in digest.papers)
    else:  # rendered by another process; the sitemap still lists them
        sitemap.extend((paper_path(p), _paper_date(p)) for p in digest.papers)
    yield from _plain(_feeds(digest, env, themes, common))
    yield from papers_data(digest, stamps)
    yield from _plain(theme_members(themes))
    if part == "all":
        yield from (bib(paper) for paper in digest.papers)
    yield from _week_bibs(digest, stamps)
    # Last: the map's layout may still be computed by a worker (build.map_stage).
    figure, mapped = paper_map(digest, themes)
    yield page("map.html", "map.html", figure=figure, mapped=mapped)
    yield from _plain(_assets(digest.config.templates_dir))
    yield from _plain(host_files(digest.config, env.get_template("404.html").render(
        **common, path="404.html", root=base_path(digest.config.base_url)), sitemap))


def _plain(pages: Iterator[tuple[str, bytes]]) -> Iterator[Page]:
    """Files made on every build (never kept)."""
    return (Page(path, data) for path, data in pages)


def _kept_or_made(path: str, keyed: tuple[bytes, bool] | None,
                  make: Callable[[], bytes]) -> Page:
    """A file that is not a template page but is kept like one: `keyed` is its key and
    whether the last build's file can be kept (Stamps.keep or keep_paper; None without
    stamps); `make` gives its bytes when it cannot."""
    if keyed is None:
        return Page(path, make())
    key, kept = keyed
    return Page(path, None if kept else make(), key)


def _week_bibs(digest: Digest, stamps: Stamps | None) -> Iterator[Page]:
    """weeks/<week>/<theme>.bib for each theme with papers that week (an empty theme-week
    has no download, and its page no link); kept like pages when their papers are."""
    entries: dict[str, str] = {}  # a paper's entry is made once, and only if needed
    for week in digest.weeks:
        papers_of_week = digest.papers_of_week(week)
        for theme in digest.themes:
            papers = digest.papers_in(theme.slug, papers_of_week)
            if not papers:
                continue
            path = week_theme_bib_path(week.key, theme.slug)

            def make(papers: tuple[Paper, ...] = papers) -> bytes:
                for p in papers:
                    if p.id not in entries:
                        entries[p.id] = paper_entry(p)
                return "\n".join(entries[p.id] for p in papers).encode("utf-8")

            keyed = stamps.keep(path, "week-bib", path, papers) if stamps is not None else None
            yield _kept_or_made(path, keyed, make)


def _paper_page(page: Callable[..., Page], digest: Digest, paper: Paper) -> Page:
    return page(paper_path(paper), "paper.html", _paper_date(paper), keep=True, one=paper,
                paper=paper, implied={"assignments": digest.assignments.get(paper.id, ())})


def _paper_date(paper: Paper) -> dt.date:
    """A paper page's last change, for the sitemap: its newest listing."""
    sources = paper.sources
    return sources[0].collected if len(sources) == 1 else max(s.collected for s in sources)


def _feeds(digest: Digest, env: jinja2.Environment, themes: tuple[ThemeView, ...],
           common: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    def names(paper: Paper) -> tuple[str, ...]:  # asked only for the papers in feeds
        return tuple(t.name for t in themes if t.slug in digest.themes_of(paper))

    size, fallback = digest.config.feed_size, digest.built_at
    template = env.get_template("feed.xml")
    feeds = [make_feed("all", digest.config.title, feed_path(), "index.html", digest.papers,
                       names, size, fallback)]
    feeds += [make_feed(f"theme:{t.slug}", f"{t.name} · {digest.config.title}",
                        feed_path(t.slug), theme_path(t.slug), t.papers, names, size, fallback)
              for t in themes]
    for feed in feeds:
        yield feed.path, template.render(**common, feed=feed).encode("utf-8")


def _theme_pages(page: Callable[..., Page], digest: Digest,
                 theme: ThemeView) -> Iterator[Page]:
    """Newest first and one list per sub-topic, each a front page and an archive numbered
    from the oldest (archive_pages); and the most confident papers, one page."""
    topics = digest.subtopics.get(theme.slug, ())
    views: list[tuple[str, tuple[Paper, ...], Subtopic | None]] = [("", theme.papers, None)]
    grouped = _group_by_subtopic(digest, theme.slug, theme.papers)
    views += [(f"topic-{t.key}", grouped[i], t) for i, t in enumerate(topics)]
    size = digest.config.page_size
    newest = max((p.first_seen for p in theme.papers), default=digest.built_at)
    chart = theme_over_weeks(digest, theme)
    for view, papers, topic in views:
        front, archive = archive_pages(papers, size)
        paths = [theme_path(theme.slug, k, view) for k in range(len(archive) + 1)]
        yield page(paths[0], "theme.html", newest, theme=theme, papers=front, view=view,
                   chart=None if view else chart, topic=topic, topics=topics,
                   total=len(papers), pagination={"number": 0, "count": len(archive),
                                                  "paths": paths})
        for number, chunk in enumerate(archive, start=1):
            yield page(paths[number], "theme.html", max(p.first_seen for p in chunk),
                       keep=True, theme=theme, papers=chunk, view=view, chart=None, topic=topic,
                       topics=topics, total=None,
                       pagination={"number": number, "count": None, "paths": None,
                                   "newer": paths[number + 1 if number < len(archive) else 0],
                                   "older": paths[number - 1] if number > 1 else None,
                                   "oldest": paths[1], "newest": paths[0]})
    if theme.slug != OTHER.slug:
        score = digest.scores_in(theme.slug, theme.papers)
        by_score = sorted(theme.papers, key=lambda p: (-score.get(p.id, 0.0), p.id))
        yield page(theme_path(theme.slug, 0, "confidence"), "theme.html", newest, theme=theme,
                   papers=tuple(by_score[:size]), view="confidence", chart=None, topic=None,
                   topics=topics, total=len(theme.papers),
                   pagination={"number": 0, "count": 0, "paths": []})


def archive_pages(papers: tuple[Paper, ...], size: int
                  ) -> tuple[tuple[Paper, ...], list[tuple[Paper, ...]]]:
    """Split a list (newest first) into its front page and its archive pages.

    Archive page k holds the k-th `size` papers counted from the oldest (newest first on the
    page), so a page's papers stay the same as the list grows: a new week changes the front
    page and adds an archive page now and then, and leaves the rest as they were. The front
    page holds the newest papers not on an archive page: from a quarter of `size` to five
    quarters of it (fewer only when the whole list is shorter), so it is never nearly empty
    and never much longer than an archive page (at 100,000 papers, with four thirds, the
    longest front page was 145 KB, near the 150 KB budget)."""
    least = -(-size // 4)
    count = (len(papers) - least) // size if len(papers) >= least else 0
    rest = len(papers) - count * size
    archive = [papers[len(papers) - k * size: len(papers) - (k - 1) * size]
               for k in range(1, count + 1)]
    return papers[:rest], archive


@dataclass(frozen=True, slots=True)
class Section:
    """A headed group of papers on a weekly theme page."""

    title: str | None  # None: one list without a heading
    key: str
    papers: tuple[Paper, ...]

    def canon_parts(self) -> tuple[Any, ...]:
        return self.title, self.key, self.papers


def _paginate_sections(sections: list[Section], size: int) -> list[list[Section]]:
    """Split headed groups into pages of at most `size` papers; a group may continue over."""
    pages: list[list[Section]] = [[]]
    room = size
    for section in sections:
        rest = section.papers
        while rest:
            if room == 0:
                pages.append([])
                room = size
            part, rest = rest[:room], rest[room:]
            pages[-1].append(Section(section.title, section.key, part))
            room -= len(part)
    return pages


def _by_subtopic(digest: Digest, theme: str, papers: tuple[Paper, ...]) -> list[Section]:
    """A week's papers of one theme grouped by sub-topic, in the theme's sub-topic order."""
    topics = digest.subtopics.get(theme, ())
    if not topics:
        return [Section(None, "", papers)] if papers else []
    grouped = _group_by_subtopic(digest, theme, papers)
    sections = [Section(t.name, f"topic-{t.key}", grouped[i]) for i, t in enumerate(topics)]
    return [s for s in sections if s.papers]


def _group_by_subtopic(digest: Digest, theme: str, papers: tuple[Paper, ...]
                       ) -> list[tuple[Paper, ...]]:
    """Per sub-topic of the theme (in its order), its papers among `papers`, in their order;
    one pass over the papers."""
    topics = digest.subtopics.get(theme, ())
    position = {id(t): i for i, t in enumerate(topics)}
    groups: list[list[Paper]] = [[] for _ in topics]
    index = digest.topic_index  # (Digest.subtopic_of, without a call per paper)
    for paper in papers:
        topic = index.get((theme, paper.id))
        if topic is not None and id(topic) in position:
            groups[position[id(topic)]].append(paper)
    return [tuple(g) for g in groups]


def _week_nav(digest: Digest, week: Week | None) -> dict[str, Week | None]:
    if week is None:
        return {"previous": None, "next": None}
    i = digest.weeks.index(week)
    return {"previous": digest.weeks[i - 1] if i > 0 else None,
            "next": digest.weeks[i + 1] if i + 1 < len(digest.weeks) else None}


PREVIEW = 15  # papers per theme on the week page and home; the weekly theme page has all


@dataclass(frozen=True, slots=True)
class WeekTheme:
    """One theme's block on a week page: its papers, and a preview grouped by sub-topic."""

    theme: ThemeView
    papers: tuple[Paper, ...]
    preview: tuple[Section, ...]

    def canon_parts(self) -> tuple[Any, ...]:
        return self.theme, self.papers, self.preview


def _week_themes(digest: Digest, themes: tuple[ThemeView, ...],
                 week: Week | None) -> list[WeekTheme]:
    """The themes that have papers in a week: highlights first, then by sub-topic."""
    if week is None:
        return []
    note = digest.note_for(week)
    ordered = digest.highlights_first(digest.papers_of_week(week), note)
    blocks = []
    for theme in themes:
        papers = digest.papers_in(theme.slug, ordered)
        if not papers:
            continue
        chosen = set(note.paper_ids) if note else set()
        first = tuple(p for p in papers if p.id in chosen)
        sections = [Section("Highlights", "highlights", first)] if first else []
        sections += _by_subtopic(digest, theme.slug, tuple(p for p in papers if p.id not in chosen))
        blocks.append(WeekTheme(theme, papers, tuple(_preview(sections, PREVIEW))))
    return blocks


def _preview(sections: list[Section], size: int) -> list[Section]:
    """At most `size` papers, dealt round-robin from the sections so each sub-topic shows."""
    taken = [0] * len(sections)
    left = size
    while left > 0 and any(t < len(s.papers) for t, s in zip(taken, sections, strict=True)):
        for i, section in enumerate(sections):
            if left > 0 and taken[i] < len(section.papers):
                taken[i] += 1
                left -= 1
    return [Section(s.title, s.key, s.papers[:n])
            for s, n in zip(sections, taken, strict=True) if n]


def _archive_rows(digest: Digest, themes: tuple[ThemeView, ...]) -> list[dict[str, Any]]:
    rows = []
    for week in reversed(digest.weeks):
        rows.append({"week": week, "total": len(week.paper_ids),
                     "counts": {t.slug: digest.count_in(t.slug, week.paper_ids)
                                for t in themes}})
    return rows


def _about(digest: Digest) -> Markup:
    path = digest.config.content_dir / "about.md"
    if not path.is_file():
        return Markup("")
    return render_markdown(path.read_text(encoding="utf-8"))


def papers_data(digest: Digest, stamps: Stamps | None = None) -> Iterator[Page]:
    """The public data (documented in docs/data.md): data/papers/<n>.json, the papers oldest
    first in parts of DATA_PART, each a list with one paper per line, and data/papers.json,
    the index of the parts. A part is kept like a page when its papers' stamps are unchanged,
    so a new week rewrites the newest part, not 180 MB at 100,000 papers; and no file comes
    near the 100 MB a GitHub repository allows per file."""
    ordered = sorted(digest.papers, key=lambda p: (p.first_seen, p.id))
    parts = []
    for number, start in enumerate(range(0, len(ordered), DATA_PART)):
        chunk = tuple(ordered[start:start + DATA_PART])
        path = f"data/papers/{number}.json"
        parts.append({"path": path, "papers": len(chunk)})

        def make(chunk: tuple[Paper, ...] = chunk) -> bytes:
            # json's C encoder, row by row (an indented dump of the whole list goes through
            # its pure-Python one: several seconds at 100,000 papers).
            lines = [json.dumps(_paper_row(digest, paper), ensure_ascii=False).encode()
                     for paper in chunk]
            return b"[\n" + b",\n".join(lines) + b"\n]\n"

        keyed = stamps.keep(path, "papers-json", path, chunk) if stamps is not None else None
        yield _kept_or_made(path, keyed, make)
    index = {"format": DATA_FORMAT, "papers": len(ordered), "parts": parts}
    yield Page(PAPERS_JSON, (json.dumps(index, indent=1) + "\n").encode("utf-8"))


def _paper_row(digest: Digest, paper: Paper) -> dict[str, Any]:
    """What the public data says of a paper: only what its stamp covers (reuse.Stamps.of)."""
    return {
        "id": paper.id,
        "slug": paper.slug,
        "title": paper.title,
        "abstract": paper.abstract,
        "themes": [t for t in digest.themes_of(paper) if t != OTHER.slug],
        "scores": {a.theme: round(a.score, 4) for a in digest.assignments.get(paper.id, ())},
        "first_seen": paper.first_seen.isoformat(),
        "week": digest.week_of(paper).key,
        "url": paper_path(paper),
        "sources": [{"file": s.file, "line": s.line, "collected": s.collected.isoformat(),
                     "query": s.query} for s in paper.sources],
        "authors": list(paper.authors),
        "arxiv_id": paper.arxiv_id,
        "published": paper.published.isoformat() if paper.published else None,
        "categories": list(paper.categories),
        "links": {k: u for k, u in (("abs", paper.url), ("pdf", paper.pdf_url),
                                    ("bibtex", paper_bib_path(paper))) if u},
    }


def theme_members(themes: tuple[ThemeView, ...]) -> Iterator[tuple[str, bytes]]:
    """data/themes/<slug>.json: the slugs of a theme's papers, for the search page's theme
    filter (kept out of the search index so a new model leaves the index as it is)."""
    for theme in themes:
        data = {"theme": theme.slug, "name": theme.name,
                "papers": sorted(p.slug for p in theme.papers)}
        yield f"data/themes/{theme.slug}.json", (json.dumps(data, ensure_ascii=False)
                                                 + "\n").encode("utf-8")


def _assets(overrides: Path) -> Iterator[tuple[str, bytes]]:
    """Static files from templates/assets/; a digest's own assets/ replace same-named ones."""
    found: dict[str, Path] = {}
    for folder in (default_templates_dir() / "assets", overrides / "assets"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    found[f"assets/{path.relative_to(folder).as_posix()}"] = path
    for name in sorted(found):
        yield name, found[name].read_bytes()
