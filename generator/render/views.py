"""A theme as pages show it: its declaration, its description as HTML, its papers."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator.models import Paper, ThemeSpec
from generator.stages.digest import OTHER, Digest
from generator.text.markup import render_markdown


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
        """What a kept page may show of a theme: not its papers (Keeper)."""
        return self.spec, str(self.description)

    @property
    def name(self) -> str:
        return self.spec.name


def theme_views(digest: Digest) -> tuple[ThemeView, ...]:
    """The digest's themes as pages show them; "Other" only when it has papers."""
    themes = tuple(ThemeView(spec=t, description=render_markdown(t.description),
                             papers=digest.papers_in(t.slug)) for t in digest.themes)
    return tuple(t for t in themes if t.papers or t.slug != OTHER.slug)
