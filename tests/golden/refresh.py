"""Rebuild tests/golden/expected/ from tests/golden/content/ after an intended change.

    python tests/golden/refresh.py        (or: make golden)

The fixture is built with the program's command line (`python -m generator build
--no-cache`, run from the repository root so the checkout's code is what runs) into a
temporary folder, and that site then replaces expected/ wholesale, so files the program no
longer writes go too. Prints how many files were added, removed and changed; review them with
`git diff --stat tests/golden/expected` before committing.

tests/test_golden.py uses build_site() and read_tree() from here, so the test and the refresh
build the site the same way. Neither imports the generator package: both drive it only through
its command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
REPO = GOLDEN.parent.parent
CONTENT = GOLDEN / "content"
EXPECTED = GOLDEN / "expected"
# The site holds nothing that depends on the machine, the clock or the build's folders
# (digest.yaml fixes built_at; a build twice, into other folders and from another working
# directory, gives the same bytes), so no file of it is left out of the comparison.
BUILD_TIMEOUT = 600  # seconds; the fixture builds in about three


def build_site(content: Path, out: Path, *, cache: bool = False) -> str:
    """Build `content` into `out` with `python -m generator build`; return what it printed.

    The content is used where it is: give a copy (see copy_content) so that nothing, a cache
    included, is ever written beside the repository's fixture. Raises AssertionError with
    the program's output when the build fails."""
    command = [sys.executable, "-m", "generator", "build",
               "--content", str(content), "--out", str(out)]
    if not cache:
        command.append("--no-cache")
    done = subprocess.run(command, cwd=REPO, env=os.environ.copy(), capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT, check=False)
    if done.returncode != 0:
        raise AssertionError(f"`{' '.join(command)}` exited with {done.returncode}:\n"
                             f"{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def copy_content(dest: Path) -> Path:
    """A copy of the fixture's content folder at dest/content (dest is the project folder,
    where a build with the cache keeps its .digest-cache/)."""
    target = dest / "content"
    shutil.copytree(CONTENT, target)
    return target


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under root (dot-files included) by its path relative to root, in POSIX form."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def main() -> int:
    before = read_tree(EXPECTED) if EXPECTED.is_dir() else {}
    with tempfile.TemporaryDirectory(prefix="digest-golden-") as scratch:
        project = Path(scratch)
        try:
            build_site(copy_content(project), project / "site")
        except AssertionError as err:
            print(f"The build failed; {EXPECTED} is unchanged.\n{err}", file=sys.stderr)
            return 1
        after = read_tree(project / "site")
        # Copied beside expected/ first, then swapped in, so a failure half-way leaves
        # expected/ as it was.
        staged, old = GOLDEN / "expected.new", GOLDEN / "expected.old"
        for leftover in (staged, old):
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.copytree(project / "site", staged)
    if EXPECTED.exists():
        EXPECTED.rename(old)
    staged.rename(EXPECTED)
    shutil.rmtree(old, ignore_errors=True)

    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    changed = sorted(p for p in after.keys() & before.keys() if after[p] != before[p])
    size = sum(len(data) for data in after.values())
    print(f"{EXPECTED.relative_to(REPO)}: {len(after)} files, {size:,} bytes; "
          f"{len(added) + len(removed) + len(changed)} files changed "
          f"({len(added)} added, {len(removed)} removed, {len(changed)} modified).")
    for label, paths in (("added", added), ("removed", removed), ("modified", changed)):
        for path in paths[:20]:
            print(f"  {label}: {path}")
        if len(paths) > 20:
            print(f"  ... and {len(paths) - 20} more {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
