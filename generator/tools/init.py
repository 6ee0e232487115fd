"""`digest init`: lay out a new digest project that builds and publishes as it is.

The new project's workflows install digest with `pip install -r requirements.txt`. By default
requirements.txt names a wheel of the running digest that init copies into vendor/: litdigest
is on no package index, so a version pin would fail on the owner's first push, while the wheel
is exactly the code that built their site locally, needs no index and no access to the
generator's repository, and is reproducible (generator/wheel.py says how). Its dependencies
still come from PyPI. `--package SPEC` replaces it with any pip requirement, and then no wheel
is written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import GeneratorError
from generator.tools.wheel import write_wheel

SCAFFOLD = Path(__file__).parent / "scaffold"
VENDOR = "vendor"

VENDORED_REQUIREMENTS = """\
# The digest generator the workflows install: a wheel of the digest that created this project,
# kept in vendor/ because litdigest is on no package index (its dependencies come from PyPI).
# pip reads a path in a requirements file relative to the directory it runs in, not to this
# file; the workflows run from the repository's root, so run `pip install -r requirements.txt`
# from there too. To update it, see "Your files" in README.md.
{spec}
"""

SPEC_REQUIREMENTS = """\
# The digest generator the workflows install (given to `digest init --package`).
{spec}
"""


def copy_scaffold(target: Path) -> list[str]:
    """Copy the scaffold's files into target; return them relative to it."""
    written = []
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SCAFFOLD)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        written.append(rel.as_posix())
    return written


def write_requirements(target: Path, package_spec: str | None) -> list[str]:
    """requirements.txt (and the vendored wheel it names, unless a spec is given); the files."""
    if package_spec:
        text, written = SPEC_REQUIREMENTS.format(spec=package_spec), []
    else:
        wheel = write_wheel(target / VENDOR).relative_to(target).as_posix()
        text, written = VENDORED_REQUIREMENTS.format(spec=wheel), [wheel]
    (target / "requirements.txt").write_text(text, encoding="utf-8")
    return [*written, "requirements.txt"]


def init_project(target: Path, package_spec: str | None = None) -> list[str]:
    """Copy the scaffold into target (new or empty); return the files written, sorted."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GeneratorError(f"{target}: exists and is not empty; choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    written = copy_scaffold(target)
    written += write_requirements(target, package_spec)
    (target / "content" / "sources").mkdir(parents=True, exist_ok=True)
    return sorted(written)
