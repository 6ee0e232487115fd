"""Feeds as they are written today (issue 24): rss.arxiv.org's RSS 2.0 listing, with authors'
affiliations and abstracts that mention "<"; and two lab blogs (RSS 2.0 and Atom), which are
not arXiv listings. Everything is read through read_source, so sniffing is exercised too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.corpus import merge_papers
from generator.errors import SourceError
from generator.models import Listing, SourceInfo
from generator.sources import ReadResult, read_source, sniff_format
from generator.sources.fields import split_names, strip_html

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FORMATS = Path(__file__).parent / "fixtures" / "formats"
DEC_2 = dt.date(2024, 12, 2)
THINK = ("Reasoning models write their deliberation between <think> and </think> tags before "
         "answering. We bound the benefit of a longer budget: for losses in $L^p$ with "
         "$1<p \\leq 2$ and $q>1$ it holds that the excess risk decays as $O(T^{-1/q})$, so R&D "
         "spent past a budget of $T>T_0$ tokens is wasted.")


def info(name: str) -> SourceInfo:
    return SourceInfo(file=name, collected=dt.date(2024, 12, 3), query="feeds", origin="test")


def read(name: str) -> ReadResult:
    return read_source(FEEDS / name, info(name))


def title_lines(name: str, listings: tuple[Listing, ...]) -> list[str]:
    lines = (FEEDS / name).read_text(encoding="utf-8").split("\n")
    return [lines[listing.line - 1].strip() for listing in listings]


@pytest.mark.parametrize(("name", "fmt"), [("arxiv_cs_lg.rss", "arxiv-listing"),
                                           ("lab_blog.rss", "rss"), ("lab_blog.atom", "rss")])
def test_sniffing_tells_arxiv_listings_from_other_feeds(name: str, fmt: str) -> None:
    assert sniff_format((FEEDS / name).read_text(encoding="utf-8"), name) == fmt


# -- rss.arxiv.org -----------------------------------------------------------------------------


def test_arxiv_feed_items_field_by_field() -> None:
    result = read("arxiv_cs_lg.rss")
    assert result.problems == ()
    got = [(li.arxiv_id, li.title, li.authors, li.published, li.url, li.pdf_url, li.categories)
           for li in result.listings]
    assert got == [
        ("2412.01234",
         "Proof Nets for Learned Rewriting: A Graph-Rewriting View of Transformer Reasoning",
         ("Amina Doumane", "Samuel Humeau", "Jane Roe", "Kenji Sato", "Marta Ruiz", "Paul Martin",
          "Li Wei", "Olu Adebayo"), DEC_2, "https://arxiv.org/abs/2412.01234",
         "https://arxiv.org/pdf/2412.01234", ("cs.LG", "cs.LO")),
        ("2412.01301", "Thinking Budgets: When Do <think> Tokens Pay Off?",
         ("Wei Zhang", "Wei Zhang", "Priya Raman"), DEC_2, "https://arxiv.org/abs/2412.01301",
         "https://arxiv.org/pdf/2412.01301", ("cs.LG", "cs.CL")),
        ("2412.00777", "Sample-Efficient Quadruped Locomotion from Play",
         ("Tunde Oyelaran", "Ida Østergaard", "José María García"), DEC_2,
         "https://arxiv.org/abs/2412.00777", "https://arxiv.org/pdf/2412.00777", ("cs.RO", "cs.LG")),
        ("2406.11111", "Convergence of Policy Mirror Descent in $\\mathcal{O}(1/\\epsilon)$ Iterations",
         ("Ana Souza", "Björn Lindqvist"), DEC_2, "https://arxiv.org/abs/2406.11111",
         "https://arxiv.org/pdf/2406.11111", ("cs.LG", "math.OC")),
        ("2311.05555", "Tactile Representations Transfer Across Grippers",
         ("Mei Chen", "Oluwaseun Adeyemi"), DEC_2, "https://arxiv.org/abs/2311.05555",
         "https://arxiv.org/pdf/2311.05555", ("cs.RO", "cs.LG")),
    ]
    assert [li.line for li in result.listings] == [18, 31, 44, 57, 72]
    assert all(line.startswith("<title>") for line in title_lines("arxiv_cs_lg.rss", result.listings))


def test_arxiv_abstracts_are_plain_text_kept_exactly() -> None:
    proof, think, quadruped, mirror, tactile = read("arxiv_cs_lg.rss").listings
    # The announcement goes; nothing after "Abstract:" is taken for markup.
    assert proof.abstract.startswith("We give a graph-rewriting semantics for chain-of-thought")
    assert proof.abstract.endswith("it predicts which rewrites a trained model learns first.")
    assert think.abstract == THINK
    assert quadruped.abstract == ("A quadruped learns to walk from twenty minutes of undirected "
                                  "play, using a world model trained on its own proprioception.")
    assert mirror.abstract == ("We show that policy mirror descent with a constant step size "
                               "reaches an $\\epsilon$-optimal policy in $\\mathcal{O}(1/\\epsilon)$ "
                               "iterations, improving the known rate when $|A|>2$.")
    assert tactile.abstract == ("Self-supervised tactile features learned on one gripper transfer "
                                "to another with 10x fewer labels.")


def test_the_old_html_fixture_still_loses_its_tags() -> None:
    _, sparse, escaped = read_source(FORMATS / "arxiv_listing.rss", info("x.rss")).listings
    assert sparse.abstract == ("We train sparse autoencoders on the activations of policy "
                               "networks & find directions that match task phases.")
    assert escaped.abstract == ("Abstracts sometimes arrive as escaped HTML: <b> stays text, "
                                "and so does a & sign.")


# -- lab blogs: RSS 2.0 and Atom ---------------------------------------------------------------


def test_lab_blog_rss_items_field_by_field() -> None:
    result = read("lab_blog.rss")
    chaining, preprint, notes, reading, slides = result.listings
    assert (chaining.title, chaining.authors, chaining.published, chaining.arxiv_id) == (
        "Our Skill-Chaining Paper Is Accepted at CoRL 2024", ("Jane Roe",), dt.date(2024, 12, 3), "")
    assert chaining.url == "https://robotlab.example.edu/blog/2024/12/skill-chaining-corl/"
    assert chaining.pdf_url == "" and chaining.categories == ("News", "Papers")
    # The description (HTML in CDATA), not content:encoded; tags gone, entities decoded.
    assert chaining.abstract == (
        "Chaining learned skills lets a robot tidy a kitchen in one go – read about it & try the "
        "code. The full post explains why x < y matters. The post Our Skill-Chaining Paper Is "
        "Accepted at CoRL 2024 appeared first on Robot Learning Lab.")
    # A link to arxiv.org is the one way a blog item gets an arXiv id.
    assert (preprint.arxiv_id, preprint.url, preprint.authors, preprint.abstract) == (
        "2311.05555", "https://arxiv.org/abs/2311.05555", ("Mei Chen", "Oluwaseun Adeyemi"),
        "Our new preprint shows that tactile features learned on one gripper transfer to another.")
    # <author>: the name after the address; a bare address is no name. Plain text keeps "<".
    assert notes.authors == ("Kenji Sato",) and notes.arxiv_id == ""
    assert notes.abstract == ("Plain text, no markup: we keep latency < 10 ms when the batch "
                              "size b <p and q> 1; see arXiv:2412.01234.")
    # No link: the permalink guid; no description: content:encoded; a look-alike host: no id.
    assert (reading.url, reading.abstract, reading.arxiv_id, reading.published) == (
        "https://robotlab.example.edu/blog/2024/11/reading-group/",
        "This week we read a world-model paper.", "", dt.date(2024, 11, 27))
    assert (slides.title, slides.url, slides.abstract) == ("Seminar Slides", "", "Slides from Tuesday.")
    assert [li.line for li in result.listings] == [21, 37, 46, 60, 66]
    assert all(line.startswith("<title>") for line in title_lines("lab_blog.rss", result.listings))
    assert [(p.line, p.reason) for p in result.problems] == [(54, "entry without a title; skipped")]


def test_lab_blog_atom_entries_field_by_field() -> None:
    result = read("lab_blog.atom")
    recap, paper = result.listings
    assert (recap.title, recap.abstract) == (
        "Contrastive Pretraining on Egocentric Video — a Recap",
        "We recap what contrastive pretraining on egocentric video buys downstream.")
    assert recap.authors == ("Barbara Liskov", "Grace Hopper")
    assert (recap.url, recap.arxiv_id, recap.published, recap.categories) == (
        "https://vlgroup.example.org/posts/egocentric-recap/", "", dt.date(2024, 12, 2),
        ("video", "self-supervised"))
    assert (paper.title, paper.abstract, paper.authors) == (
        "Our Paper on Multilingual Sentence Embeddings",
        "Sentence embeddings for retrieval in 40 languages.", ("Donald Knuth",))
    assert (paper.arxiv_id, paper.url, paper.published) == (
        "2412.00042", "https://arxiv.org/abs/2412.00042", dt.date(2024, 11, 28))
    assert [li.line for li in result.listings] == [11, 25]
    assert [(p.line, p.reason) for p in result.problems] == [(32, "entry without a title; skipped")]


def test_a_blog_item_linking_an_arxiv_paper_merges_with_the_listing() -> None:
    listings = read("arxiv_cs_lg.rss").listings + read("lab_blog.rss").listings
    (tactile,) = [p for p in merge_papers(listings) if p.arxiv_id == "2311.05555"]
    assert sorted(s.file for s in tactile.sources) == ["arxiv_cs_lg.rss", "lab_blog.rss"]


@pytest.mark.parametrize(("text", "message"), [
    ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Lab</title>'
     "<link>https://lab.example.org/</link></channel></rss>\n", "the feed has no items"),
    ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Lab</title>'
     "</feed>\n", "the feed has no entries"),
])
def test_a_feed_without_items_is_an_error_saying_so(tmp_path: Path, text: str,
                                                    message: str) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(text, encoding="utf-8")
    assert sniff_format(text, "empty.xml") == "rss"
    with pytest.raises(SourceError, match=message):
        read_source(path, info("empty.xml"))


def test_a_blog_feed_is_not_arxiv_because_its_items_link_arxiv(tmp_path: Path) -> None:
    item = ("<item><title>Paper {n}</title><link>https://arxiv.org/abs/2412.0000{n}</link>"
            "<description>See https://arxiv.org/abs/2412.0000{n}</description></item>")
    text = ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Reading list</title>'
            "<link>https://lab.example.org/</link>" + "".join(item.format(n=n) for n in range(3))
            + "</channel></rss>\n")
    assert sniff_format(text, "list.rss") == "rss"
    path = tmp_path / "list.rss"
    path.write_text(text, encoding="utf-8")
    assert [li.arxiv_id for li in read_source(path, info("list.rss")).listings] == [
        "2412.00000", "2412.00001", "2412.00002"]


def test_the_generic_feed_reader_refuses_entity_declarations_too() -> None:
    with pytest.raises(SourceError, match="refused") as err:
        read_source(FORMATS / "billion_laughs.xml", info("b.xml"), fmt="rss")
    assert err.value.line == 3


# -- the two field helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "names"), [
    ("Amina Doumane (PLUME, LIP), Samuel Humeau (PLUME, LIP), Jane Roe",
     ("Amina Doumane", "Samuel Humeau", "Jane Roe")),
    ("A. Author (Dept. of Maths and Computer Science, Univ. X) and B. Author",
     ("A. Author", "B. Author")),
    ("Ann Lee ((1) MIT, (2) CMU), Bo Li (2)", ("Ann Lee", "Bo Li")),
    ("Ann Lee (MIT, Bo Li", ("Ann Lee (MIT", "Bo Li")),  # unclosed: left as text
    ("Ann Lee, Bo Li and Cy Ng", ("Ann Lee", "Bo Li", "Cy Ng")),
    ("Lee, Ann; Li, Bo", ("Lee, Ann", "Li, Bo")),
    ("Ann Lee and Bo Li", ("Ann Lee", "Bo Li")),
    ("Lei Zhang, Lei Zhang", ("Lei Zhang", "Lei Zhang")),  # two people, one name
    ('<a href="x">Jane Doe</a>, <a href="y">Li Wei</a>', ("Jane Doe", "Li Wei")),
    ("", ()),
])
def test_split_names(text: str, names: tuple[str, ...]) -> None:
    assert split_names(text) == names


@pytest.mark.parametrize(("text", "plain"), [
    ("for $1<p \\leq 2$ and $q>1$ it holds", "for $1<p \\leq 2$ and $q>1$ it holds"),
    ("inside <think> and </think> tags", "inside <think> and </think> tags"),
    ("R&D & more", "R&D & more"),
    ("<p>An <em>HTML</em> abstract.</p>", "An HTML abstract."),
    ("<p>x &lt; y &amp; z</p>", "x < y & z"),
    ("Caf&eacute; line<br/>break", "Café line break"),
])
def test_strip_html_strips_only_what_is_html(text: str, plain: str) -> None:
    assert strip_html(text) == plain
