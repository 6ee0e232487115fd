"""Symbolic links in the content folder that lead out of it.

A build publishes what content/ holds (templates/assets/ is copied into the site as it is), so
a link there to a file elsewhere (/proc/self/environ, ~/.ssh/...) would publish that file. Links
that stay inside the content folder are fine; links that leave it are refused by `digest build`
and reported by `digest check`.
"""

from __future__ import annotations

import os
from pathlib import Path


def links_leaving(content_dir: Path) -> list[str]:
    """One problem ("path: ...") per symbolic link under content_dir whose target lies
    outside it (or does not exist), in path order."""
    root = content_dir.resolve()
    problems = []
    for dirpath, dirs, names in os.walk(root):  # does not follow links to folders
        for name in sorted([*dirs, *names]):
            path = Path(dirpath) / name
            if not path.is_symlink():
                continue
            target = path.resolve()
            shown = content_dir / path.relative_to(root)
            if not target.exists():
                problems.append(f"{shown}: a symbolic link to {os.readlink(path)}, which does "
                                "not exist")
            elif target != root and root not in target.parents:
                problems.append(f"{shown}: a symbolic link to {target}, outside the content "
                                "folder; copy the file in instead")
    return problems
