"""BibTeX: each paper's entry, shown on its page to copy, and a .bib download per weekly theme
page; keys are stable. Entries cite, as arXiv's own BibTeX export does: no abstract (the
page and the public data have it; in the .bib files it weighed 166 MB at 100,000 papers)."""

from __future__ import annotations

import re

from generator.models import Paper
from generator.stages.read.fields import safe_url

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Characters TeX would read as markup, written as commands the parser reads back (see
# generator/stages/read/bibtex.py); "\{" is avoided because BibTeX counts it as a brace.
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
            "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
            ">": r"\textgreater{}", "|": r"\textbar{}"}


def week_theme_bib_path(week: str, theme: str) -> str:
    return f"weeks/{week}/{theme}.bib"


def bib_key(paper: Paper) -> str:
    """A key that never changes for a paper: its first slug words and its id."""
    words = "-".join(paper.slug.split("-")[:4])
    return f"{words}-{paper.id[:6]}"


def tex_escape(text: str) -> str:
    """Text as BibTeX field content that prints as written: specials escaped, and "--", "``"
    and "''" split with {} so TeX does not turn them into dashes or quotes."""
    return _SPECIALS.sub(_escape_one, text)


# A special character, or the first of two equal dashes/quotes (it gets "{}" after it).
_SPECIALS = re.compile(r"[\\{}&%$#_~^<>|]|([-`'])(?=\1)")


def _escape_one(m: re.Match[str]) -> str:
    return m.group(1) + "{}" if m.group(1) else _ESCAPES[m.group(0)]


def bib_name(name: str) -> str:
    """"First Middle Last" as "Last, First Middle"; a name with a comma or "and" in it (an
    organisation) is braced whole so that BibTeX does not split it."""
    lowered = f" {name.lower()} "
    if "," in name or " and " in lowered:
        return "{" + tex_escape(name) + "}"
    first, _, last = name.rpartition(" ")
    return tex_escape(f"{last}, {first}" if first else last)


def paper_entry(paper: Paper) -> str:
    """One @misc entry; arXiv papers get eprint, archivePrefix and primaryClass."""
    fields: list[tuple[str, str]] = [("title", "{" + tex_escape(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(bib_name(a) for a in paper.authors)))
    if paper.published is not None:
        day = paper.published
        fields += [("year", str(day.year)), ("month", MONTHS[day.month - 1]),
                   ("date", day.isoformat())]
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryClass", tex_escape(paper.categories[0])))
    url = safe_url(paper.url)
    if url:
        # A URL is verbatim in BibTeX; only braces and backslashes could break the entry.
        fields.append(("url", url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")))
    body = "".join(f"  {name} = {value if name == 'month' else '{' + value + '}'},\n"
                   for name, value in fields)
    return f"@misc{{{bib_key(paper)},\n{body}}}\n"

