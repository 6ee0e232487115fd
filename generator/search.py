"""Full-text search for a static host: a Pagefind index of the paper pages.

Pagefind reads the rendered paper pages (each paper indexed once: only papers/*.html, and only
the part marked data-pagefind-body) and writes a compressed index that the browser queries
with no server. It runs on the staging directory, so a failure leaves the old site intact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import BuildError

INDEX_DIR = "pagefind"


def index_site(site: Path, previous: Path | None = None,
               changed: frozenset[str] = frozenset()) -> None:
    """Write site/pagefind/ from the paper pages; raise BuildError if Pagefind fails.

    When no paper page changed or went since the previous site, its index is still right:
    it is hard-linked over instead of rebuilt (Pagefind's output is the same for the same
    pages, so this changes nothing but the time).
    """
    old_index = previous / INDEX_DIR if previous is not None else None
    if (old_index is not None and old_index.is_dir()
            and not any(_is_paper_page(p) for p in changed)):
        _link_tree(old_index, site / INDEX_DIR)
        return
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/*.html",
               "--output-subdir", INDEX_DIR, "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise BuildError(f"the search index could not be built: {err}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BuildError("the search index could not be built (is the pagefind[bin] package "
                         "installed?):\n" + "\n".join(detail))


def _is_paper_page(rel: str) -> bool:
    return rel.startswith("papers/") and rel.endswith(".html")


def _link_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.is_file() and not path.is_symlink():
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)
