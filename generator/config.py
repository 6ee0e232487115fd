"""Load and validate content/digest.yaml, sources.yaml and themes.yaml into one frozen Config.

Every problem found is collected and reported together in one ConfigError, each line naming
the file and the key, so a user fixes everything in one pass. This module reads the files and
makes the Config; config_checks.py checks each section.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from generator.config_checks import (
    check_digest,
    check_sources,
    check_themes,
    normalise_base_url,
    unknown_keys,
)
from generator.errors import ConfigError
from generator.models import SourceInfo, ThemeSpec
from generator.stages.interests.settings import Interests, check_interests
from generator.text.yamltext import safe_load
from generator.tools.fetch.settings import FetchSettings


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know, validated."""

    content_dir: Path
    title: str
    description: str = ""
    base_url: str = "/"  # always ends with "/"
    language: str = "en"
    page_size: int = 100  # papers per page: weekly theme pages, theme archives (render/)
    random_state: int = 0  # seeds every scikit-learn estimator
    built_at: dt.date | None = None  # None: SOURCE_DATE_EPOCH, else the newest paper's date
    week_start: int = 0  # 0 = Monday ... 6 = Sunday
    feed_size: int = 100  # newest entries per Atom feed
    cname: str = ""  # custom domain (GitHub Pages reads it from a CNAME file)
    search_shard_size: int = 25_000  # papers per search-index shard (generator/publish/search.py)
    size_limit_mb: float = 1000.0  # the most the site may weigh (publish/size.py: GitHub Pages')
    sources: tuple[SourceInfo, ...] = ()
    themes: tuple[ThemeSpec, ...] = ()
    fetch: FetchSettings = FetchSettings()  # digest.yaml's fetch: section (fetch/settings.py)
    # digest.yaml's interests: section (stages/interests/); None: no "For you" pages
    interests: Interests | None = None

    @property
    def sources_dir(self) -> Path:
        return self.content_dir / "sources"

    @property
    def notes_dir(self) -> Path:
        """Editorial notes: notes/<week>.md and notes/<theme>/<week>.md."""
        return self.content_dir / "notes"

    @property
    def enrich_file(self) -> Path:
        """Looked-up metadata for papers the dumps leave without an arXiv id (enrichment.py)."""
        return self.content_dir / "enrich.yaml"

    @property
    def templates_dir(self) -> Path:
        """A digest's own template overrides; they win over the defaults."""
        return self.content_dir / "templates"


def load_config(content_dir: Path, **overrides: Any) -> Config:
    """Read the three YAML files under content_dir; raise one ConfigError listing every problem."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        raise ConfigError(f"{content_dir}: content directory not found")
    problems: list[str] = []
    digest = _load_yaml(content_dir / "digest.yaml", problems)
    manifest = _load_yaml(content_dir / "sources.yaml", problems)
    themes_doc = _load_yaml(content_dir / "themes.yaml", problems)
    settings = check_digest(digest, "digest.yaml", problems)
    sources = check_sources(manifest, content_dir, problems)
    themes = check_themes(themes_doc, "themes.yaml", problems)
    interests = check_interests(digest.get("interests"), "digest.yaml: interests", content_dir,
                                problems, unknown_keys)
    if problems:
        raise ConfigError([_prefix(content_dir, p) for p in problems])
    config = Config(content_dir=content_dir, sources=sources, themes=themes,
                    interests=interests, **settings)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if "base_url" in overrides:
        try:
            overrides["base_url"] = normalise_base_url(overrides["base_url"])
        except ValueError as err:
            raise ConfigError(f"--base-url: {err}") from None
    return replace(config, **overrides)


def _prefix(content_dir: Path, problem: str) -> str:
    # Joined as text: a Path would fold the "//" of a URL quoted in the problem.
    return f"{content_dir}/{problem}" if not problem.startswith("/") else problem


def _load_yaml(path: Path, problems: list[str]) -> dict[str, Any]:
    if not path.is_file():
        problems.append(f"{path.name}: file not found")
        return {}
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        problems.append(f"{path.name}: not UTF-8 text ({err.reason} at byte {err.start})")
        return {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problems.append(f"{path.name}{where}: invalid YAML: {getattr(err, 'problem', err)}")
        return {}
    if data is None:
        return {}
    for where in unencodable(data, ""):
        problems.append(f"{path.name}: {where or 'the file'}: holds an escape that is not a "
                        "character (an unpaired surrogate such as \\ud800)")
    if not isinstance(data, dict):
        problems.append(f"{path.name}: expected a mapping of keys, got {type(data).__name__}")
        return {}
    return data


def unencodable(value: Any, where: str) -> list[str]:
    """The places in loaded YAML whose text cannot be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [where]
        return []
    if isinstance(value, dict):
        return [w for k, v in value.items()
                for w in unencodable(k, where) + unencodable(v, f"{where}.{k}".lstrip("."))]
    if isinstance(value, list):
        return [w for i, v in enumerate(value) for w in unencodable(v, f"{where}[{i}]")]
    return []
