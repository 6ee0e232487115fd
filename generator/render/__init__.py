"""Digest -> the site's files (pages, feeds, charts, public data, search index files), as a
stream of `Page`s for publish/ to write. Jinja2 with autoescape; user templates first.

`render_site` yields every file but the paper pages, `render_paper_pages` those (a build may
render them in another process); both take a `Keeper` that may keep the last build's files.
"""

from generator.render.environment import default_templates_dir, make_env
from generator.render.pages import Keeper, Page
from generator.render.site import render_paper_pages, render_site

__all__ = ["Keeper", "Page", "default_templates_dir", "make_env", "render_paper_pages",
           "render_site"]
