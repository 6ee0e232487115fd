"""A wheel of the running digest, for `digest init` to vendor into a new project.

Why a wheel in the project (vendor/litdigest-<version>-py3-none-any.whl) rather than a name
for pip to look up: litdigest is on no package index, so `litdigest==<version>` in the new
project's requirements.txt made its first publishing run fail. The vendored wheel

- is exactly the code that built the owner's site on their machine, so what the workflow
  publishes is what they previewed;
- needs no package index and no access to the generator's own repository (which may be
  private, or moved), only the owner's repository that holds it;
- is reproducible: the same code gives the same bytes (sorted entries, fixed timestamps and
  permissions), so vendoring it again after no change leaves git with nothing to commit.

Only litdigest itself is vendored: its dependencies (click, jinja2, numpy, ...) are named in
the wheel's METADATA and still come from PyPI, as for any pip install.

The wheel is written with zipfile from the installed files, without network and without build
tools (the owner may have neither hatchling nor a copy of the generator's source), in the
layout hatchling gives it: the `generator` package with the default templates inside it as
generator/templates, and a dist-info with METADATA, WHEEL, entry_points.txt and RECORD.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from generator import __version__
from generator.errors import GeneratorError
from generator.render import default_templates_dir

DISTRIBUTION = "litdigest"
TAG = "py3-none-any"
# Zip cannot store dates before 1980; a fixed one keeps the bytes the same from build to build.
DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16  # rw-r--r-- in the entry's external attributes, whatever the disk says

WHEEL_FILE = (
    "Wheel-Version: 1.0\n"
    "Generator: digest\n"
    "Root-Is-Purelib: true\n"
    f"Tag: {TAG}\n"
)
ENTRY_POINTS = "[console_scripts]\ndigest = generator.cli:main\n"


def wheel_name(version: str) -> str:
    """The file name pip expects for a pure-Python wheel of this version."""
    return f"{DISTRIBUTION}-{version}-{TAG}.whl"


def installed_version() -> str:
    """The version of the installed distribution (what pip knows), else the package's own."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return __version__


def _package_files(package_dir: Path, templates_dir: Path) -> Iterator[tuple[str, Path]]:
    """(path inside the wheel, file on disk) for the package and, if outside it, the templates.

    An editable install keeps the templates at the repository's root (templates/); the wheel
    hatchling builds force-includes them as generator/templates, where an installed digest
    looks first, so they go there here too.
    """
    sources = [(package_dir, "generator")]
    if not templates_dir.resolve().is_relative_to(package_dir.resolve()):
        sources.append((templates_dir, "generator/templates"))
    for root, prefix in sources:
        for path in root.rglob("*"):
            rel = path.relative_to(root)
            if "__pycache__" in rel.parts or path.suffix == ".pyc" or not path.is_file():
                continue
            yield f"{prefix}/{rel.as_posix()}", path


def metadata_text(version: str) -> str:
    """METADATA of the running installation, which names the dependencies pip must fetch.

    A distribution without a METADATA file (an unusual installer) gets a minimal one built from
    what importlib.metadata still knows; one that is not installed at all has no record of its
    dependencies, and a wheel without them would install a digest that cannot start.
    """
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise GeneratorError(
            f"digest is not installed as the {DISTRIBUTION!r} distribution, so its dependencies are "
            "unknown and no wheel can be vendored; pass --package SPEC to name what to install"
        ) from None
    text = dist.read_text("METADATA")
    if text:
        return text
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version}"]
    lines += [f"Requires-Dist: {req}" for req in dist.requires or []]
    return "\n".join(lines) + "\n"


def _record_hash(data: bytes) -> str:
    """RECORD's hash form: sha256, urlsafe base64 without the '=' padding."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """One file with a fixed date and mode, so the archive depends on the contents alone."""
    info = zipfile.ZipInfo(name, date_time=DATE_TIME)
    info.external_attr = FILE_MODE
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data, compresslevel=9)


def wheel_entries(version: str) -> dict[str, bytes]:
    """Every file of the wheel but RECORD, by its path inside the wheel."""
    package_dir = Path(__file__).parents[1]  # the `generator` package, as installed and running
    templates_dir = default_templates_dir()
    if not templates_dir.is_dir():
        raise GeneratorError(f"{templates_dir}: the default templates are missing; cannot vendor digest")
    entries = {name: path.read_bytes() for name, path in _package_files(package_dir, templates_dir)}
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    entries[f"{dist_info}/METADATA"] = metadata_text(version).encode("utf-8")
    entries[f"{dist_info}/WHEEL"] = WHEEL_FILE.encode("utf-8")
    entries[f"{dist_info}/entry_points.txt"] = ENTRY_POINTS.encode("utf-8")
    return entries


def write_wheel(out_dir: Path) -> Path:
    """Write the running digest as a wheel into out_dir; return the wheel's path.

    Entries are sorted, so the dist-info comes after generator/ and RECORD, written once every
    hash is known, last: the wheel format recommends the dist-info at the end of the archive.
    """
    version = installed_version()
    entries = wheel_entries(version)
    record_name = f"{DISTRIBUTION}-{version}.dist-info/RECORD"
    record = io.StringIO()
    rows = csv.writer(record, lineterminator="\n")  # quotes a path with a comma, as RECORD is CSV
    rows.writerows((name, _record_hash(data), len(data)) for name, data in sorted(entries.items()))
    rows.writerow((record_name, "", ""))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / wheel_name(version)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in sorted(entries.items()):
            _write_entry(archive, name, data)
        _write_entry(archive, record_name, record.getvalue().encode("utf-8"))
    return target
