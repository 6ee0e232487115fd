"""`digest init` vendors a wheel of itself, and a fresh environment installs the project from it.

The new project's workflows run `pip install -r requirements.txt` on a fresh runner, where no
package index has litdigest: the vendored wheel must be a real, complete wheel (RECORD hashes,
templates, entry point), and installing it from requirements.txt must give a working `digest`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import __version__
from generator.cli import cli

WHEEL = f"vendor/litdigest-{__version__}-py3-none-any.whl"
DIST_INFO = f"litdigest-{__version__}.dist-info"


def init(target: Path, *options: str) -> Path:
    result = CliRunner().invoke(cli, ["init", str(target), *options])
    assert result.exit_code == 0, result.output
    return target


def requirement_lines(project: Path) -> list[str]:
    lines = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_requirements_name_a_vendored_wheel_whose_record_matches_its_files(tmp_path: Path) -> None:
    project = init(tmp_path / "mine")
    assert requirement_lines(project) == [WHEEL]
    wheel = project / WHEEL
    assert wheel.is_file() and zipfile.is_zipfile(wheel)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        rows = list(csv.reader(io.StringIO(archive.read(f"{DIST_INFO}/RECORD").decode())))
        listed = {row[0]: row for row in rows}
        assert sorted(listed) == sorted(names) and len(rows) == len(names)
        assert listed[f"{DIST_INFO}/RECORD"][1:] == ["", ""]
        for name in names:
            if name != f"{DIST_INFO}/RECORD":
                data = archive.read(name)
                assert listed[name][1:] == [record_hash(data), str(len(data))], name
        wheel_file = archive.read(f"{DIST_INFO}/WHEEL").decode()
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
    assert "Root-Is-Purelib: true" in wheel_file and "Tag: py3-none-any" in wheel_file
    assert "digest = generator.cli:main" in entry_points
    assert f"Name: litdigest\nVersion: {__version__}\n" in metadata
    assert "Requires-Dist: jinja2" in metadata  # the dependencies pip fetches from PyPI
    # The package, the scaffold init copies and the default templates, none of them compiled.
    assert {"generator/cli/__init__.py", "generator/tools/wheel.py", "generator/tools/scaffold/README.md",
            "generator/templates/base.html"} <= set(names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_same_code_gives_the_same_wheel(tmp_path: Path) -> None:
    first, second = init(tmp_path / "a"), init(tmp_path / "b")
    assert (first / WHEEL).read_bytes() == (second / WHEEL).read_bytes()


def test_a_package_spec_replaces_the_vendored_wheel(tmp_path: Path) -> None:
    spec = "litdigest @ git+https://github.com/OWNER/REPO"
    project = init(tmp_path / "mine", "--package", spec)
    assert requirement_lines(project) == [spec]
    assert not (project / "vendor").exists()


def clean_env() -> dict[str, str]:
    """This environment without what would let the new venv see our checkout or our venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV", "PIP_USER"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_a_fresh_environment_installs_the_project_from_requirements_and_builds(
        tmp_path: Path) -> None:
    project = init(tmp_path / "mine")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python, digest = venv / "bin" / "python", venv / "bin" / "digest"
    # What the workflows run, from the project's root (requirements.txt's path is relative to it).
    run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-r", "requirements.txt"], cwd=project)
    # litdigest came from the vendored wheel, not from an index or our checkout.
    where = json.loads(run([str(python), "-c", (
        "import importlib.metadata as m, json, generator; d = m.distribution('litdigest'); "
        "print(json.dumps([d.read_text('direct_url.json'), generator.__file__]))")], cwd=project))
    direct_url = json.loads(where[0])
    assert direct_url["url"] == (project / WHEEL).resolve().as_uri()
    assert "archive_info" in direct_url
    assert Path(where[1]).resolve().is_relative_to(venv.resolve())
    out = run([str(digest), "build"], cwd=project)
    assert "Read 4 listings: 4 papers in 1 week" in out
    assert (project / "site" / "index.html").is_file()
    run([str(digest), "check", "site"], cwd=project)
    # The installed digest vendors itself byte for byte: an owner who inits again gets the same wheel.
    run([str(digest), "init", "again"], cwd=tmp_path)
    assert (tmp_path / "again" / WHEEL).read_bytes() == (project / WHEEL).read_bytes()
