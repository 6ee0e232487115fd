"""Full-text search for a static host: a Pagefind index of the paper pages.

Pagefind reads the rendered paper pages (each paper indexed once: only papers/*.html, and only
the part marked data-pagefind-body) and writes a compressed index that the browser queries
with no server. It runs on the staging directory, so a failure leaves the old site intact.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import BuildError

INDEX_DIR = "pagefind"


def index_site(site: Path) -> None:
    """Write site/pagefind/ from the paper pages; raise BuildError if Pagefind fails."""
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
