"""Code and project links: every URL in the seed dumps found unmangled, classified, deduplicated."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.stages.links import Link, find_links

from .conftest import CONTENT

SOURCES = sorted((CONTENT / "sources").glob("*.txt"))
# Independent of find_urls: the characters these seeds' URLs are made of, and nothing else.
# Braces, backslashes, parentheses, commas and spaces end a URL; one trailing dot is a full stop.
SEED_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/-]*)?")
ENDS = ("", " ", "\n", "}", "{", ")", ",")


def _expected(text: str) -> list[str]:
    found = []
    for m in SEED_URL.finditer(text):
        url = m.group(0).removesuffix(".")
        assert text[m.end():m.end() + 1] in ENDS, f"unexpected character after {url!r}"
        if url not in found:
            found.append(url)
    return found


def _repo_key(url: str) -> str:
    parts = urlsplit(url)
    segs = parts.path.strip("/").split("/")
    if parts.hostname == "github.com":
        return "github:" + "/".join(segs[:2]).lower()
    return url.rstrip("/").lower()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_seed_url_is_found_unmangled(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected, keys = [], set()
    for url in _expected(text):  # one link per repository, first appearance kept
        if _repo_key(url) not in keys:
            keys.add(_repo_key(url))
            expected.append(url)
    assert [link.url for link in find_links(text)] == expected


def test_seed_url_count() -> None:
    everything = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    urls = _expected(everything)
    assert len(urls) == 146  # distinct URLs over the five dumps (ACORM's twin counted once)
    assert [link.url for link in find_links(everything)] == urls  # no repo twice, all found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_found_urls_are_well_formed(path: Path) -> None:
    for link in find_links(path.read_text(encoding="utf-8")):
        parts = urlsplit(link.url)
        assert parts.scheme in ("http", "https") and parts.hostname and "." in parts.hostname
        assert link.url[-1] not in ".,)}{:;" and not any(c in link.url for c in "\\{}~ ")
        assert link.kind in ("github", "gitlab", "huggingface", "project")


# The tricky forms in the seeds, written out literally.
TRICKY = [
    ("The code is available at {https://github.com/zahrag/BIOSCAN-5M}",
     "https://github.com/zahrag/BIOSCAN-5M"),
    (r"The code is available at \faGithub~ https://github.com/tigerchen52/PEARL abstract",
     "https://github.com/tigerchen52/PEARL"),
    ("Our code is available at https://github.com/NJU-RL/ACORM}{https://github.com/NJU-RL/ACORM.",
     "https://github.com/NJU-RL/ACORM"),
    ("available at the link: blue{https://github.com/RUCAIBox/DCLR}.",
     "https://github.com/RUCAIBox/DCLR"),
    ("in our https://github.com/HanxunH/Detect-CLIP-Backdoor-Samples{GitHub repository}.",
     "https://github.com/HanxunH/Detect-CLIP-Backdoor-Samples"),
    (r"\textcolor[rgb]{1, 0, 0}{Code available at http://www.bhchen.cn/}.",
     "http://www.bhchen.cn/"),
    ("source code will be released at https://github.com/mvrl/BirdSAT}.",
     "https://github.com/mvrl/BirdSAT"),
    ("(codebase available at: https://github.com/stypoumic/BECLR).",
     "https://github.com/stypoumic/BECLR"),
    ("Code: https://github.com/SsnL/align_uniform , https://github.com/SsnL/moco_align_uniform",
     "https://github.com/SsnL/align_uniform"),
    ("Project page: https://readout-guidance.github.io.", "https://readout-guidance.github.io"),
    ("at https://github.com/usail-hkust/UUKG/.", "https://github.com/usail-hkust/UUKG/"),
    ("at https://github.com/arthurdouillard/incremental_learning.pytorch",
     "https://github.com/arthurdouillard/incremental_learning.pytorch"),
    ("Code is available at https://github.com/PKU-ML/non_neg.Our method",
     "https://github.com/PKU-ML/non_neg"),  # a next sentence glued on
]


@pytest.mark.parametrize(("text", "url"), TRICKY)
def test_tricky_forms(text: str, url: str) -> None:
    assert find_links(text)[0].url == url


def test_labels_and_kinds() -> None:
    text = ("https://github.com/tensorflow/tpu/tree/master/models/vild and "
            "https://huggingface.co/nvidia/NV-Embed-v1. and "
            "https://huggingface.co/datasets/allenai/c4 and https://hf.co/spaces/a/demo and "
            "https://gitlab.com/group/sub/proj/-/tree/main and "
            "https://craftjarvis.github.io/SkillDiscovery. and https://sites.google.com/view/prft. "
            "and http://www.bhchen.cn/")
    assert find_links(text) == (
        Link("https://github.com/tensorflow/tpu/tree/master/models/vild", "github",
             "GitHub: tensorflow/tpu"),
        Link("https://huggingface.co/nvidia/NV-Embed-v1", "huggingface",
             "Hugging Face: nvidia/NV-Embed-v1"),
        Link("https://huggingface.co/datasets/allenai/c4", "huggingface",
             "Hugging Face dataset: allenai/c4"),
        Link("https://hf.co/spaces/a/demo", "huggingface", "Hugging Face Space: a/demo"),
        Link("https://gitlab.com/group/sub/proj/-/tree/main", "gitlab", "GitLab: group/sub/proj"),
        Link("https://craftjarvis.github.io/SkillDiscovery", "project",
             "Project page: craftjarvis.github.io/SkillDiscovery"),
        Link("https://sites.google.com/view/prft", "project",
             "Project page: sites.google.com/view/prft"),
        Link("http://www.bhchen.cn/", "project", "Project page: bhchen.cn"),
    )


def test_same_repository_once_in_order_of_appearance() -> None:
    text = ("see https://github.com/a/b/tree/main/x then https://github.com/A/B.git, "
            "http://github.com/a/b/ and https://x.github.io/p/ https://x.github.io/p")
    assert [link.url for link in find_links(text)] == [
        "https://github.com/a/b/tree/main/x", "https://x.github.io/p/"]


def test_paper_links_are_skipped() -> None:
    text = ("as in https://arxiv.org/abs/2101.00001 and https://doi.org/10.1/x and "
            "https://huggingface.co/papers/2401.1 ; code https://github.com/o/r")
    assert [link.label for link in find_links(text)] == ["GitHub: o/r"]


def test_no_urls() -> None:
    assert find_links("No code; see our paper.") == ()
    assert find_links("http:// and https://.") == ()


def test_every_default_paper_page_links_to_where_the_paper_can_be_read(
        built_default: tuple[Path, object]) -> None:
    """Each of the default digest's papers: arXiv, PDF and Hugging Face when its id is known;
    otherwise searches for its exact title on arXiv and on Hugging Face."""
    site, _ = built_default
    pages = sorted((site / "papers").glob("*.html"))
    assert len(pages) == 747
    buttons = re.compile(r'<ul class="link-buttons reading" aria-label="Read the paper">(.*?)</ul>',
                         re.S)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<h1>(.*?)</h1>", html, re.S)
        found = buttons.search(html)
        assert title and found, page.name
        hrefs = re.findall(r'href="([^"]+)"', found.group(1))
        if "arxiv.org/abs/" in found.group(1):
            assert any("arxiv.org/pdf/" in h for h in hrefs), page.name
        else:
            assert [urlsplit(h.replace("&amp;", "&")).netloc for h in hrefs[-2:]] == \
                ["arxiv.org", "huggingface.co"], page.name
            assert all("query=" in h or "q=" in h for h in hrefs[-2:])


def test_reading_links_point_at_arxiv_for_an_id_and_keep_a_listing_s_own_page() -> None:
    import datetime as dt

    from generator.models import Paper
    from generator.stages.links import reading_links

    paper = Paper(id="x", slug="x", title="A Paper", abstract="Text.", first_seen=dt.date(2025, 1, 1),
                  sources=(), arxiv_id="2401.01234", url="https://doi.org/10.1000/xyz")
    links = [(link.label, link.url) for link in reading_links(paper)]
    assert links == [("arXiv abstract", "https://arxiv.org/abs/2401.01234"),
                     ("PDF", "https://arxiv.org/pdf/2401.01234"),
                     ("Hugging Face", "https://huggingface.co/papers/2401.01234"),
                     ("Paper page", "https://doi.org/10.1000/xyz")]
    old = Paper(id="y", slug="y", title="Old", abstract="Text.", first_seen=dt.date(2025, 1, 1),
                sources=(), arxiv_id="hep-th/9901001")
    assert [link.label for link in reading_links(old)] == ["arXiv abstract", "PDF"]
