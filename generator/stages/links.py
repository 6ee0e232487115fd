"""Code and project links in an abstract: text in, classified, labelled, deduplicated Links out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

from generator.models import Paper
from generator.stages.read.fields import ARXIV_ID, arxiv_urls, safe_url
from generator.text.markup import find_urls


@dataclass(frozen=True, slots=True)
class Link:
    """One code, model or project link found in a paper's text."""

    url: str  # as written, minus what find_urls and _repair trim
    kind: str  # "github" | "gitlab" | "huggingface" | "project"
    label: str  # e.g. "GitHub: owner/repo", "Project page: craftjarvis.github.io/SkillDiscovery"


# Links to papers are not resources: a paper's own page already links the paper, and an
# abstract that names arxiv.org or doi.org is citing someone else's work, not its own code.
PAPER_HOSTS = frozenset({"arxiv.org", "doi.org", "dx.doi.org", "openreview.net",
                         "aclanthology.org", "proceedings.neurips.cc", "papers.nips.cc"})
HUGGINGFACE_HOSTS = frozenset({"huggingface.co", "hf.co"})
# Hugging Face paths that name an object: /datasets/o/n, /spaces/o/n; a bare /o/n is a model.
HF_SECTIONS = {"datasets": "Hugging Face dataset", "spaces": "Hugging Face Space"}
# GitHub's own pages, not owners: github.com/orgs/x is not a repository of "orgs".
GITHUB_RESERVED = frozenset({"orgs", "topics", "sponsors", "features", "marketplace",
                             "collections", "apps", "settings", "about", "enterprise"})
# A new sentence glued to a URL ("...ACORM.Our code") ends it in ".Word"; a file suffix is
# lower case (".pytorch", ".html"), so only a capitalised word after the last dot is cut.
_GLUED_SENTENCE = re.compile(r"\.[A-Z][a-z]+$")


def find_links(text: str) -> tuple[Link, ...]:
    """The links in text, in order of appearance, each resource once; paper links skipped."""
    links: list[Link] = []
    seen: set[tuple[str, ...]] = set()
    for _, _, raw in find_urls(text):
        url = _repair(raw)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        if not host or "." not in host or _is_paper(host, parts.path):
            continue
        kind, label, key = _classify(host, parts.path)
        if key in seen:
            continue
        seen.add(key)
        links.append(Link(url=url, kind=kind, label=label))
    return tuple(links)


def _repair(url: str) -> str:
    """Undo what find_urls leaves glued on: a following sentence with no space after the dot."""
    glued = _GLUED_SENTENCE.search(url)
    if glued and urlsplit(url).path.strip("/"):  # never cut a host's TLD ("x.Com" is a host)
        url = url[: glued.start()]
    return url


def _is_paper(host: str, path: str) -> bool:
    if host in PAPER_HOSTS:
        return True
    return host in HUGGINGFACE_HOSTS and path.startswith("/papers")


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _classify(host: str, path: str) -> tuple[str, str, tuple[str, ...]]:
    """(kind, label, dedupe key) for a URL's host (lower case, no www.) and path."""
    segs = _segments(path)
    if host == "github.com" and segs and segs[0].lower() not in GITHUB_RESERVED:
        # github.com/owner/repo/tree/main/x, .../repo.git and .../repo are one repository.
        name = "/".join([segs[0], *(s.removesuffix(".git") for s in segs[1:2])])
        return "github", f"GitHub: {name}", ("github", name.lower())
    if host == "gitlab.com" and segs:
        # Groups nest (gitlab.com/a/b/c); "/-/" starts the project's own pages.
        project = segs[: segs.index("-")] if "-" in segs else segs
        name = "/".join(s.removesuffix(".git") for s in project)
        return "gitlab", f"GitLab: {name}", ("gitlab", name.lower())
    if host in HUGGINGFACE_HOSTS and segs:
        section = segs[0] if segs[0] in HF_SECTIONS else ""
        name = "/".join(segs[1:3] if section else segs[:2])
        title = HF_SECTIONS.get(section, "Hugging Face")
        return "huggingface", f"{title}: {name}", ("huggingface", section, name.lower())
    shown = host + "/".join(["", *segs])
    return "project", f"Project page: {shown}", ("project", shown.lower())


def reading_links(paper: Paper) -> tuple[Link, ...]:
    """Where a reader finds the paper itself, for its page's buttons.

    With an arXiv id (from a listing, or looked up by `digest enrich`): its abstract page,
    its PDF and, for the ids Hugging Face pages take (new-style ones), its Hugging Face
    paper page. Without one: the listing's own page if it gave one, and a search for the
    exact title on arXiv and on Hugging Face, which a reader can follow without the build
    ever asking the network anything."""
    if paper.arxiv_id:
        abs_url, pdf_url = arxiv_urls(paper.arxiv_id)
        links = [Link(abs_url, "arxiv", "arXiv abstract"), Link(pdf_url, "pdf", "PDF")]
        if "/" not in paper.arxiv_id and ARXIV_ID.fullmatch(paper.arxiv_id):
            links.append(Link(f"https://huggingface.co/papers/{paper.arxiv_id}", "hf-paper",
                              "Hugging Face"))
        page = safe_url(paper.url)  # a listing's page elsewhere (a DOI, a publisher's)
        if page and urlsplit(page).hostname not in ("arxiv.org", "www.arxiv.org"):
            links.append(Link(page, "page", "Paper page"))
        return tuple(links)
    own = [Link(url, "page", "Paper page") for url in [safe_url(paper.url)] if url]
    if safe_url(paper.pdf_url):
        own.append(Link(safe_url(paper.pdf_url), "pdf", "PDF"))
    title = quote_plus(" ".join(paper.title.split()))
    return (*own,
            Link(f"https://arxiv.org/search/?query={title}&searchtype=title", "search",
                 "Find on arXiv"),
            Link(f"https://huggingface.co/papers?q={title}", "search", "Find on Hugging Face"))


def list_links(paper: Paper, found: tuple[Link, ...]) -> tuple[Link, ...]:
    """What a list item links besides the paper's page: the paper itself (reading_links,
    without the title searches a paper page offers when there is no id) and up to two of
    the code links `found` in its abstract, one labelled "Code", two by their names."""
    own = tuple(link for link in reading_links(paper) if link.kind != "search")
    code = [link for link in found if link.kind != "project"][:2]
    if len(code) == 1:
        code = [Link(code[0].url, code[0].kind, "Code")]
    return (*own, *code)
