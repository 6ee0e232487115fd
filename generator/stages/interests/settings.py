"""The `interests:` section of digest.yaml: the owner's library, what they do not want, the
authors they follow and the score a paper needs to be listed "For you".

Validated with the rest of the config (config.py calls check_interests), every problem named by
its key; the files must exist inside the content folder, because a build reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

INTEREST_KEYS = {
    "library": "files in the content folder listing papers you care about: BibTeX or "
               "BibLaTeX, CSL-JSON, or titles and arXiv ids one per line",
    "not_interested": "files like the library's, of papers you do not want to see",
    "not_interested_papers": "titles or arXiv ids of papers you do not want to see",
    "follow_authors": "authors whose papers are always listed, and marked",
    "cut_off": "the lowest score (above 0, below 1) a paper needs to be listed",
    "title": "the name of the pages and their feed (default 'For you')",
}
DEFAULT_CUT_OFF = 0.4  # on the example library: 19 of the default digest's 724 papers


@dataclass(frozen=True, slots=True)
class Interests:
    """What the owner declared; file paths are relative to the content folder."""

    library: tuple[str, ...]
    not_interested: tuple[str, ...] = ()
    not_interested_papers: tuple[str, ...] = ()
    follow_authors: tuple[str, ...] = ()
    cut_off: float = DEFAULT_CUT_OFF
    title: str = "For you"


def check_interests(data: Any, where: str, content_dir: Path, problems: list[str],
                    unknown_keys: Any) -> Interests | None:
    """The valid Interests of digest.yaml's `interests:` (None: absent or invalid); every
    problem appended to `problems`."""
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping (library:, not_interested:, "
                        f"follow_authors:, cut_off:), got {type(data).__name__}")
        return None
    unknown_keys(data, INTEREST_KEYS, where, problems)
    before = len(problems)
    library = _files(data.get("library"), f"{where}.library", content_dir, problems)
    if "library" not in data or data.get("library") in ([], None, ""):
        problems.append(f"{where}: library: missing or empty; name at least one file of "
                        "papers you care about")
    negatives = _files(data.get("not_interested"), f"{where}.not_interested", content_dir,
                       problems)
    papers = _texts(data.get("not_interested_papers"), f"{where}.not_interested_papers",
                    problems)
    authors = _texts(data.get("follow_authors"), f"{where}.follow_authors", problems)
    cut_off = data.get("cut_off", DEFAULT_CUT_OFF)
    if isinstance(cut_off, bool) or not isinstance(cut_off, (int, float)) \
            or not 0 < cut_off < 1:
        problems.append(f"{where}.cut_off: expected a number above 0 and below 1, got "
                        f"{cut_off!r}")
    title = data.get("title", "For you")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}.title: expected a non-empty text, got {title!r}")
    if len(problems) > before:
        return None
    return Interests(library=library, not_interested=negatives, not_interested_papers=papers,
                     follow_authors=authors, cut_off=float(cut_off), title=title.strip())


def _files(value: Any, where: str, content_dir: Path, problems: list[str]) -> tuple[str, ...]:
    """File paths relative to the content folder, each an existing file inside it."""
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        problems.append(f"{where}: expected a file name or a list of them, relative to the "
                        f"content folder, got {value!r}")
        return ()
    root = content_dir.resolve()
    out = []
    for name in names:
        path = (content_dir / name.strip()).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{where}: {name}: outside the content folder (a build reads "
                            "only the content folder)")
        elif not path.is_file():
            problems.append(f"{where}: {name}: file not found in {content_dir}")
        else:
            out.append(path.relative_to(root).as_posix())
    return tuple(out)


def _texts(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float))
                                              and not isinstance(v, bool) for v in value):
        problems.append(f"{where}: expected a list of texts, got {value!r}")
        return ()
    texts = tuple(str(v).strip() for v in value)
    if not all(texts):
        problems.append(f"{where}: an entry is empty")
    return tuple(t for t in texts if t)
