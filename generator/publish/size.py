"""What a built site weighs against what its host publishes: GitHub Pages refuses a site over
1 GB, so a digest that grows past it (size_limit_mb in digest.yaml, 1000 by default) is told
so by `digest build` (a warning) and `digest check` (a problem), with the folders that weigh
most, which is where a cut would help."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_LIMIT_MB = 1000.0  # GitHub Pages: "no larger than 1 GB"; the smaller reading of a GB
MB = 1_000_000


def over_limit(site: Path, total_bytes: int, limit_mb: float = DEFAULT_LIMIT_MB) -> str | None:
    """The warning for a site of `total_bytes` over `limit_mb`, naming its heaviest parts (read
    from `site` only then), or None when it is within the limit."""
    if total_bytes <= limit_mb * MB:
        return None
    parts = ", ".join(f"{name} {size / MB:,.1f} MB" for name, size in heaviest(site)[:4])
    return (f"{site}: the site weighs {total_bytes / MB:,.1f} MB, over the {limit_mb:,g} MB a "
            "site may weigh (size_limit_mb in digest.yaml; GitHub Pages publishes at most "
            f"1 GB), so the host may refuse it. Heaviest: {parts or 'nothing'}.")


def heaviest(site: Path) -> list[tuple[str, int]]:
    """The site's top-level folders ('papers/') and files, with their bytes, heaviest first."""
    sizes: dict[str, int] = {}
    for dirpath, _dirs, names in os.walk(site):
        rel = os.path.relpath(dirpath, site)
        top = "" if rel == "." else rel.split(os.sep, 1)[0] + "/"
        for name in names:
            try:
                size = os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:  # gone meanwhile: it weighs nothing now
                continue
            key = top or name
            sizes[key] = sizes.get(key, 0) + size
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
