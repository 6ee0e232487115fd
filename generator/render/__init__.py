"""Digest -> the site's files (pages, feeds, charts, public data, search index files), as a
stream of `Page`s for publish/ to write. Jinja2 with autoescape; user templates first."""
