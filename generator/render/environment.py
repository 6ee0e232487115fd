"""The Jinja2 environment pages are rendered with: where templates are found, the filters
they use, and a template's error in plain words."""

from __future__ import annotations

import datetime as dt
import functools
import traceback
from collections.abc import Iterator
from pathlib import Path

import jinja2

from generator.models import Week
from generator.render.bib import paper_entry
from generator.stages.links import reading_links
from generator.text.markup import linkify, paragraphs, render_markdown
from generator.text.sentences import teaser
from generator.text.tex import tex_to_html, tex_to_text

PACKAGE_TEMPLATES = Path(__file__).parents[1] / "templates"  # inside an installed wheel
REPO_TEMPLATES = Path(__file__).parents[2] / "templates"  # in a source checkout
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


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
                       tex_text=functools.lru_cache(maxsize=8192)(tex_to_text),
                       # every list shows one: a paper's teaser is chosen once a build
                       teaser=functools.lru_cache(maxsize=None)(teaser))
    # A theme member's standing in words (Assignment.standing) -> the rule behind it. Imported
    # here, not at the top: the themes package imports scikit-learn (about a second), which
    # an unchanged build, importing the renderer but rendering nothing, must not pay.
    from generator.stages.themes.standing import RULES as STANDING_RULES
    env.globals.update(week_range=week_range, reading_links=reading_links,
                       standing_rules=STANDING_RULES,
                       cite_entry=paper_entry)
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


def assets(overrides: Path) -> Iterator[tuple[str, bytes]]:
    """Static files from templates/assets/; a digest's own assets/ replace same-named ones."""
    found: dict[str, Path] = {}
    for folder in (default_templates_dir() / "assets", overrides / "assets"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    found[f"assets/{path.relative_to(folder).as_posix()}"] = path
    for name in sorted(found):
        yield name, found[name].read_bytes()
