"""The command line as a user meets it, through click's CliRunner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

from .conftest import REPO


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_build_writes_the_site_and_says_what_it_did(tmp_path: Path) -> None:
    code, out = run("build", "--content", str(REPO / "content"), "--out", str(tmp_path / "s"))
    assert code == 0, out
    assert "Read 816 listings: 747 papers in 4 weeks (2025-W11 to 2025-W17)." in out
    assert (tmp_path / "s" / "index.html").is_file()


def test_quiet_build_prints_nothing(tmp_path: Path) -> None:
    code, out = run("build", "-q", "--content", str(REPO / "content"), "--out", str(tmp_path / "s"))
    assert code == 0 and out == ""


def test_a_missing_content_directory_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    code, out = run("build", "--content", str(tmp_path / "missing"), "--out", str(tmp_path / "s"))
    assert code == 1
    assert "Error:" in out and "missing: content directory not found" in out
    assert "Traceback" not in out
    assert not (tmp_path / "s").exists()


def test_a_bad_config_key_exits_1_naming_the_key(content_copy: Path, tmp_path: Path) -> None:
    (content_copy / "digest.yaml").write_text("title: T\nbase_ur: x\n")
    code, out = run("build", "--content", str(content_copy), "--out", str(tmp_path / "s"))
    assert code == 1 and "unknown key 'base_ur' (did you mean 'base_url'?)" in out


def test_base_url_flag_reaches_the_canonical_links(tmp_path: Path) -> None:
    code, _ = run("build", "-q", "--content", str(REPO / "content"), "--out", str(tmp_path / "s"),
                  "--base-url", "https://me.github.io/papers")
    assert code == 0
    html = (tmp_path / "s" / "about.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://me.github.io/papers/about.html">' in html


def test_help_explains_each_option() -> None:
    code, out = run("build", "--help")
    assert code == 0
    for flag in ("--content", "--out", "--base-url", "--quiet", "--verbose"):
        assert flag in out
    code, out = run("--help")
    assert code == 0 and "build" in out


def _add_dump(content: Path, name: str, data: bytes, only: bool = False) -> None:
    (content / "sources" / name).write_bytes(data)
    entry = f"  - {{file: {name}, collected: 2025-05-01, query: test}}\n"
    manifest = content / "sources.yaml"
    manifest.write_text(("sources:\n" if only else manifest.read_text()) + entry)


BROKEN = (b"new\n\nApr 24\n\nA Good Title\n\n" + b"An abstract that is long enough. " * 5 +
          b"\n\nA Title Whose Abstract Was Lost\n")


def test_a_bad_record_is_skipped_with_a_warning_naming_file_and_line(content_copy: Path,
                                                                     tmp_path: Path) -> None:
    _add_dump(content_copy, "broken.txt", BROKEN)
    result = CliRunner().invoke(cli, ["build", "--content", str(content_copy), "--out",
                                      str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "broken.txt:9: title without abstract: 'A Title Whose Abstract Was Lost'" in result.stderr
    assert "Read 817 listings: 748 papers" in result.stdout


def test_strict_turns_a_bad_record_into_a_failure_and_writes_nothing(content_copy: Path,
                                                                     tmp_path: Path) -> None:
    _add_dump(content_copy, "broken.txt", BROKEN)
    code, out = run("build", "--strict", "--content", str(content_copy), "--out",
                    str(tmp_path / "s"))
    assert code == 1 and "broken.txt:9: title without abstract" in out
    assert not (tmp_path / "s").exists()


def test_a_build_that_read_no_paper_fails_instead_of_publishing_nothing(content_copy: Path,
                                                                        tmp_path: Path) -> None:
    _add_dump(content_copy, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00", only=True)
    code, out = run("build", "--content", str(content_copy), "--out", str(tmp_path / "s"))
    assert code == 1
    assert "binary.txt:3: binary data" in out and "refusing to publish an empty digest" in out
    assert not (tmp_path / "s").exists()


def test_the_program_exits_with_its_status_and_all_its_output(tmp_path: Path) -> None:
    # The program as installed (cli.main, through `python -m generator`): everything it printed
    # arrives, and the exit status is the command's.
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True,
                              text=True, timeout=300)

    built = run("build", "--content", str(REPO / "content"), "--out", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert lines[0].startswith("Read 816 listings") and lines[-1].startswith("Open file://")
    missing = run("build", "--content", str(tmp_path / "missing"), "--out", str(tmp_path / "x"))
    assert missing.returncode == 1 and "content directory not found" in missing.stderr
    wrong = run("build", "--no-such-option")
    assert wrong.returncode == 2 and "No such option" in wrong.stderr
    assert run("--version").stdout.strip() == "digest, version 0.1.0"


def test_the_program_starts_no_blas_threads_unless_asked() -> None:
    # cli.main sets OPENBLAS_NUM_THREADS before NumPy is imported (its threads only spin).
    probe = ("import os, sys; sys.argv = ['digest', '--version']\n"
             "import generator.cli as c\n"
             "assert 'numpy' not in sys.modules\n"
             "os._exit = lambda code: print(os.environ['OPENBLAS_NUM_THREADS'])\n"
             "c.main()")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out[-1] == "1"
    mine = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**env, "OPENBLAS_NUM_THREADS": "2"}, check=True).stdout.split()
    assert mine[-1] == "2"
