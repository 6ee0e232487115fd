"""Builds that never lose data: symlinks, concurrent builds, dates from data, base URL checks."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError
from generator.pipeline import build
from generator.publish.sitefolder import MARKER
from generator.render.environment import date_words

from .conftest import CONTENT


def test_a_symlink_in_the_output_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    out = tmp_path / "site"
    build(load_config(CONTENT), out)
    (out / "papers" / "link").symlink_to(outside, target_is_directory=True)
    (out / ".dotlink").symlink_to(outside, target_is_directory=True)
    build(load_config(CONTENT), out)
    assert (outside / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (out / ".dotlink").is_symlink()  # a user's dot-entry is kept as it was: a link


def test_an_output_directory_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "site").symlink_to(real, target_is_directory=True)
    with pytest.raises(Exception, match="symbolic link"):
        build(load_config(CONTENT), tmp_path / "site")


def test_the_home_directory_and_root_are_refused(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = load_config(CONTENT)
    for out in (tmp_path, Path("/")):
        with pytest.raises(Exception, match="root or home"):
            build(config, out)


def test_two_builds_at_once_both_finish_and_leave_a_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    config = load_config(CONTENT)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build(config, out)
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(list((out / "papers").glob("*.html"))) == 747
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.digest", "site"]
    assert {p.name for p in (tmp_path / ".site.digest").iterdir()} == {"lock", "standby"}


def test_the_build_date_comes_from_source_date_epoch_never_the_clock(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
                                                    .timestamp())))
    build(load_config(CONTENT), tmp_path / "a")
    assert "updated 2 January 2030" in (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build(load_config(CONTENT), tmp_path / "b")
    home = (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    assert "updated 24 April 2025" in home  # the newest paper's date
    assert date_words(dt.date.today()) not in home


@pytest.mark.parametrize("url", ["javascript:alert(1)", "example.org/x", "https://a.b/\nSitemap: x",
                                 "ftp://files.example.org/", ""])
def test_a_base_url_that_is_not_http_or_a_path_is_refused(content_copy: Path, url: str) -> None:
    (content_copy / "digest.yaml").write_text(f"title: T\nbase_url: {url!r}\n")
    with pytest.raises(ConfigError, match="base_url"):
        load_config(content_copy)
    with pytest.raises(ConfigError, match="--base-url"):
        load_config(CONTENT, base_url=url or " ")


def test_paths_are_accepted_as_base_urls(content_copy: Path) -> None:
    (content_copy / "digest.yaml").write_text("title: T\nbase_url: /papers\n")
    assert load_config(content_copy).base_url == "/papers/"
    assert os.path.basename(load_config(content_copy, base_url="https://x.org").base_url) == ""


@pytest.mark.timeout(60)
def test_check_reports_a_pipe_named_like_a_page_without_opening_it(
        built_default: tuple[Path, object], tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from generator.cli import cli

    site = tmp_path / "site"
    shutil.copytree(built_default[0], site)
    os.mkfifo(site / "trap.html")
    os.mkfifo(site / "feed-trap.xml")
    result = CliRunner().invoke(cli, ["check", str(site), "--content", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "trap.html: not a regular file" in result.output
    assert "feed-trap.xml: not a regular file" in result.output


def test_a_source_date_epoch_past_the_dates_a_digest_takes_is_one_clear_error(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.errors import BuildError

    for epoch in ("253402300800", "99999999999999999999"):  # year 10000; past any clock
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        with pytest.raises(BuildError, match=f"SOURCE_DATE_EPOCH={epoch}: .* is outside"):
            build(load_config(content_copy), tmp_path / "site")
