"""`digest init`: lay out a new digest project that builds and publishes as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import __version__
from .errors import GeneratorError

SCAFFOLD = Path(__file__).parent / "scaffold"


def default_package_spec() -> str:
    """What the new project's workflow installs: this very version of the generator."""
    return f"litdigest=={__version__}"


def init_project(target: Path, package_spec: str | None = None) -> list[str]:
    """Copy the scaffold into target (new or empty); return the files written, sorted."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GeneratorError(f"{target}: exists and is not empty; choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SCAFFOLD)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        written.append(rel.as_posix())
    spec = package_spec or default_package_spec()
    (target / "requirements.txt").write_text(
        "# The digest generator the publishing workflow installs. Until it is on PyPI, point\n"
        "# this at the generator's repository, e.g. litdigest @ git+https://github.com/OWNER/REPO\n"
        f"{spec}\n", encoding="utf-8")
    (target / "content" / "sources").mkdir(parents=True, exist_ok=True)
    written.append("requirements.txt")
    return sorted(written)
