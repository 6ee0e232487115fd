"""Loading content/: every problem reported at once, each naming its file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError

from .conftest import CONTENT


def test_the_default_content_loads_with_four_themes_and_five_dumps() -> None:
    config = load_config(CONTENT)
    assert [t.slug for t in config.themes] == [
        "skills", "representation-learning", "embeddings", "model-based-rl"]
    assert len(config.sources) == 5
    assert config.base_url.endswith("/")


def test_a_missing_content_directory_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="content directory not found"):
        load_config(tmp_path / "nope")


def test_every_problem_is_listed_together(content_copy: Path) -> None:
    (content_copy / "digest.yaml").write_text("title: T\npage_sise: 10\n")
    (content_copy / "themes.yaml").write_text(
        "themes:\n"
        "  - {name: A, slug: a, keywords: [x]}\n"
        "  - {name: B, slug: a, keywords: [y]}\n"
        "  - {name: C, slug: c, keywords: []}\n"
        "  - {name: D, slug: Bad Slug, keywords: [z], exclude: nope}\n")
    with pytest.raises(ConfigError) as err:
        load_config(content_copy)
    text = str(err.value)
    assert "digest.yaml: unknown key 'page_sise' (did you mean 'page_size'?)" in text
    assert "themes.yaml: themes[1].slug: duplicate slug 'a'" in text
    assert "themes.yaml: themes[2].keywords: the list is empty" in text
    assert "themes[3].slug: expected lowercase letters" in text
    assert "themes[3].exclude: expected a list of phrases" in text
    assert all(line.startswith(str(content_copy)) for line in err.value.problems)


def test_a_manifest_entry_naming_a_missing_dump_or_bad_date_is_reported(content_copy: Path) -> None:
    (content_copy / "sources.yaml").write_text(
        "sources:\n"
        "  - {file: gone.txt, collected: 2025-01-01}\n"
        "  - {file: 000_2ea270ecf2e2adad.txt, collected: 'last week'}\n"
        "  - {file: ../digest.yaml, collected: 2025-01-01}\n")
    with pytest.raises(ConfigError) as err:
        load_config(content_copy)
    text = str(err.value)
    assert "sources[0].file: sources/gone.txt not found" in text
    assert "sources[1].collected: expected a date YYYY-MM-DD, got 'last week'" in text
    assert "sources[2].file: must be a path inside sources/" in text


def test_invalid_yaml_names_the_line(content_copy: Path) -> None:
    (content_copy / "digest.yaml").write_text("title: ok\ndescription: [unclosed\n")
    with pytest.raises(ConfigError, match=r"digest\.yaml:\d+: invalid YAML"):
        load_config(content_copy)


def test_a_missing_config_file_is_named(content_copy: Path) -> None:
    (content_copy / "themes.yaml").unlink()
    with pytest.raises(ConfigError, match=r"themes\.yaml: file not found"):
        load_config(content_copy)


def test_the_theme_slug_other_is_reserved(content_copy: Path) -> None:
    (content_copy / "themes.yaml").write_text("themes:\n  - {name: O, slug: other, keywords: [x]}\n")
    with pytest.raises(ConfigError, match="'other' is reserved"):
        load_config(content_copy)


def test_overrides_win_and_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "c")
    config = load_config(tmp_path / "c", base_url="https://u.github.io/repo")
    assert config.base_url == "https://u.github.io/repo/"
