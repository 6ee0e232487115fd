"""Feeds as they are written today (issue 24): rss.arxiv.org's RSS 2.0 listing, with authors'
affiliations and abstracts that mention "<"; two lab blogs (RSS 2.0 and Atom), which are not
arXiv listings; blogs that give only each post's full text (Blogger's Atom, Medium's RSS); and
a journal's RSS 1.0 contents, one <dc:creator> per author and JATS abstracts. Everything is
read through read_source, so sniffing is exercised too."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest

from generator.errors import SourceError
from generator.models import Listing, SourceInfo
from generator.stages.merge import merge_papers
from generator.stages.read import ReadResult, read_source, sniff_format
from generator.stages.read.arxiv import one_person, people
from generator.stages.read.fields import split_names, strip_html
from generator.stages.read.hf_listing import MAX_ABSTRACT_CHARS
from generator.stages.read.rss import OPENING_CHARS, opening

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
                                           ("lab_blog.rss", "rss"), ("lab_blog.atom", "rss"),
                                           ("blogger_long.atom", "rss"), ("medium_long.rss", "rss"),
                                           ("journal_toc.rdf", "rss")])
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
        # A suffix after a comma stays with its name; "et al." is nobody.
        ("2412.01555", "Customer-Support Agents That Think Before They Answer",
         ("Marcus Bell Jr.", "Robert Lane, Sr.", "Charles Whitfield III"), DEC_2,
         "https://arxiv.org/abs/2412.01555", "https://arxiv.org/pdf/2412.01555", ("cs.CL",)),
    ]
    assert [li.line for li in result.listings] == [18, 31, 44, 57, 72, 85]
    assert all(line.startswith("<title>") for line in title_lines("arxiv_cs_lg.rss", result.listings))


def test_arxiv_abstracts_are_plain_text_kept_exactly() -> None:
    proof, think, quadruped, mirror, tactile, support = read("arxiv_cs_lg.rss").listings
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
    # "&T;" and "&As;" are shaped like entities but are none: no evidence of HTML, "<think>" stays.
    assert support.abstract == ("We fine-tune support agents on AT&T; Q&As; transcripts and let "
                                "them deliberate inside <think> tags; done that way, a 7B model "
                                "matches a 70B one on resolution rate.")


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


# -- blogs that give only the full post: its opening is the abstract -----------------------------


def full_text(name: str, start: str, end: str) -> str:
    """A post's whole text, as the abstract was before (it was skipped as oversized)."""
    raw = (FEEDS / name).read_text(encoding="utf-8")
    content = raw[raw.index(start) + len(start):raw.index(end)]
    return strip_html(html.unescape(content) if name.endswith(".atom") else content)


def test_blogger_posts_have_the_opening_of_their_content_as_abstract() -> None:
    result = read("blogger_long.atom")
    assert result.problems == ()  # the 34,000-character post is no longer skipped
    assert len(full_text("blogger_long.atom", "<content type='html'>", "</content>")) > (
        MAX_ABSTRACT_CHARS)
    pruning, lessons, slides = result.listings
    assert (pruning.title, pruning.authors, pruning.published, pruning.categories, pruning.url) == (
        "What we learned pruning 1.2 billion training examples", ("Ruth Okafor",),
        dt.date(2024, 12, 2), ("data",),
        "https://sparsethoughts.blogspot.com/2024/12/what-we-learned-pruning.html")
    # Whole paragraphs while they fit in 2,000 characters: the sixth would not. Headings,
    # the MathJax <script>, the <style>, the comment and the training log are left out.
    assert pruning.abstract.startswith(
        "Last spring we set out to answer a question that comes up in every planning meeting: "
        "if we could keep only a fraction of our pretraining data, which fraction should it be?")
    assert "The short version: pruning by a small proxy model's loss works" in pruning.abstract
    assert "keeping the middle of the loss distribution" in pruning.abstract
    assert "The full training logs are at the end of the post & in the repository." in (
        pruning.abstract)
    assert pruning.abstract.endswith("Hardest-first is what the earlier literature recommends "
                                     "for large datasets, and it is what we expected to win.")
    assert len(pruning.abstract) == 1673
    for left_out in ("Setup", "MathJax", "font-size", "make_table", "step ", "It did not."):
        assert left_out not in pruning.abstract
    # An old-style post, one 2,400-character run of text: cut at the last sentence end that
    # fits, not at the "Fig." of the sentence that does not ("... in Fig. 3 of last term's").
    assert lessons.abstract.startswith("Most of what I know about running a reading group I "
                                       "learned by doing it badly for two years,")
    assert "For the world-model paper by Hafner et al. the question was" in lessons.abstract
    assert lessons.abstract.endswith("Our most-attended session this year was on a negative "
                                     "result, a careful replication that failed, and the "
                                     "discussion ran an hour over.")
    assert len(lessons.abstract) <= OPENING_CHARS
    # A short post is all opening; its HTML comment goes.
    assert slides.abstract == "The slides from Thursday are here."
    assert [li.line for li in result.listings] == [3, 480, 486]
    assert all(line.startswith("<title") for line in title_lines("blogger_long.atom",
                                                                  result.listings))


def test_medium_posts_have_the_opening_of_their_content_as_abstract() -> None:
    result = read("medium_long.rss")
    assert result.problems == ()
    assert len(full_text("medium_long.rss", "<content:encoded><![CDATA[", "]]></content:encoded>")
               ) > MAX_ABSTRACT_CHARS
    (post,) = result.listings
    assert (post.title, post.authors, post.published, post.categories, post.arxiv_id) == (
        "Stop trusting your eval spreadsheet", ("Tomás Ferreira",), dt.date(2024, 12, 2),
        ("machine-learning", "evaluation"), "")
    assert post.url == ("https://medium.com/@tferreira/stop-trusting-your-eval-spreadsheet-"
                        "8d2f4c1a9b7e?source=rss-5f1c2a9e7d31------2")
    # Not the repeated title (<h3>), the subtitle (<h4>), the photo credit or the code block.
    assert post.abstract.startswith("Every team I have worked with has a spreadsheet of "
                                    "evaluation results that nobody trusts. The numbers are right;")
    assert post.abstract.endswith("because a number without a record cannot be compared to "
                                  "anything and we decided to stop pretending otherwise.")
    for left_out in ("Stop trusting", "600-line harness that records", "Unsplash", '"run":',
                     "The second cost was a habit", "on GitHub"):
        assert left_out not in post.abstract
    assert len(post.abstract) <= OPENING_CHARS


def test_atom_content_in_plain_text_or_xhtml_gives_its_opening_too(tmp_path: Path) -> None:
    long_para = "A sentence that goes on for a while about data pruning. " * 60
    text = ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Lab</title>'
            f"<entry><title>Plain</title><content>First paragraph.\n\n{long_para}</content>"
            "</entry><entry><title>XHTML</title><content type=\"xhtml\"><div "
            'xmlns="http://www.w3.org/1999/xhtml"><p>One &lt; two.</p><p>Three.</p>'
            "</div></content></entry></feed>\n")
    path = tmp_path / "lab.atom"
    path.write_text(text, encoding="utf-8")
    plain, xhtml = read_source(path, info("lab.atom")).listings
    # What fits is under half the budget, so the next paragraph fills it to a sentence end.
    assert plain.abstract.startswith("First paragraph. A sentence that goes on")
    assert plain.abstract.endswith("about data pruning.")
    assert OPENING_CHARS - 60 < len(plain.abstract) <= OPENING_CHARS
    assert xhtml.abstract == "One < two. Three."  # block ends part the paragraphs' words


def test_opening_without_a_sentence_end_stops_at_a_whole_word() -> None:
    words = "<p>" + "tokens " * 400 + "</p>"
    cut = opening(words, True)
    assert cut.endswith("tokens…") and len(cut) <= OPENING_CHARS
    assert opening("<p>Short.</p><p>Also short.</p>", True) == "Short. Also short."
    assert opening("Plain x <p and q> y.\n\nSecond.", False) == "Plain x <p and q> y. Second."


# -- a journal's contents: one <dc:creator> per author, JATS abstracts ---------------------------


def test_journal_toc_items_field_by_field() -> None:
    result = read("journal_toc.rdf")
    assert result.problems == ()
    cycle, variants, correction = result.listings
    # Each <dc:creator> is one person: "Last, First" (one comma, a surname and given names)
    # reads "First Last"; a suffix or an organisation's comma is kept; namesakes are kept.
    assert cycle.authors == ("Chidi Okafor", "Anneke van der Berg", "John Smith, Jr.",
                             "Wei Zhang", "Wei Zhang",
                             "Consortium for Microbial Carbon Fixation, Europe")
    assert cycle.title == "A synthetic CO2-fixing cycle running in Escherichia coli"
    assert cycle.abstract == ("We engineer Escherichia coli strains that fix CO2 through a "
                              "synthetic reductive cycle. The best strain grows on formate & CO2 "
                              "alone, doubling every 18 h.")
    assert (cycle.url, cycle.published, cycle.arxiv_id) == (
        "https://doi.org/10.5555/jsm.2024.0412", dt.date(2024, 12, 2), "")
    # One <dc:creator> listing everyone: split; a bracketed affiliation and "et al." go.
    assert variants.authors == ("Priya Raman", "Tomás Ferreira", "Li Wei")
    assert variants.abstract == "Ten thousand variants, one plate reader, three hits."
    assert correction.authors == ("Ana Souza", "Björn Lindqvist")
    assert [li.line for li in result.listings] == [17, 34, 42]
    assert all(line.startswith("<title>") for line in title_lines("journal_toc.rdf",
                                                                   result.listings))


@pytest.mark.parametrize(("texts", "names"), [
    (["Smith, John"], ("Smith", "John")),  # one element may list several people
    (["Smith, John", "Lee, Ann"], ("John Smith", "Ann Lee")),
    (["Jane Roe, MIT", "Smith, PhD"], ("Jane Roe, MIT", "Smith, PhD")),  # not "Last, First"
    (["García Márquez, Gabriel", "DUPONT, Jean"], ("García Márquez, Gabriel", "DUPONT, Jean")),
    (["O'Brien, J.-P.", "Müller, Jörg", "Sato, K."], ("J.-P. O'Brien", "Jörg Müller", "K. Sato")),
    (['<a href="https://x.example/roe">Roe, Jane</a>', "Li Wei (MIT)", "et al"],
     ("Jane Roe", "Li Wei")),
    (["Smith, John; Lee, Ann", "Bo Li"], ("Smith, John; Lee, Ann", "Bo Li")),
    (["", "Bo Li"], ("Bo Li",)),
])
def test_several_author_elements_are_one_person_each(texts: list[str],
                                                     names: tuple[str, ...]) -> None:
    assert people(texts) == names


def test_rss_author_elements_are_one_person_each_in_order(tmp_path: Path) -> None:
    text = ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Lab</title>'
            "<item><title>Post</title><author>Roe, Jane</author>"
            "<author>john@lab.example.org (Smith, John)</author>"
            "<author>webmaster@lab.example.org</author></item>"
            "<item><title>Other</title><author>Mei Chen and Li Wei</author></item>"
            "</channel></rss>\n")
    path = tmp_path / "lab.rss"
    path.write_text(text, encoding="utf-8")
    post, other = read_source(path, info("lab.rss")).listings
    assert post.authors == ("Jane Roe", "John Smith")
    assert other.authors == ("Mei Chen", "Li Wei")


def test_one_person_keeps_what_it_cannot_reorder_safely() -> None:
    assert one_person("Smith, John, Jr.") == "Smith, John, Jr."
    assert one_person("John Smith, Jr.") == "John Smith, Jr."
    assert one_person("van der Berg, Jan") == "Jan van der Berg"
    assert one_person("Smith, John and Lee, Ann") == "Smith, John and Lee, Ann"


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
    ("John Smith, Jr.", ("John Smith, Jr.",)),
    ("John Smith, Jr., Ann Lee and Bo Li III", ("John Smith, Jr.", "Ann Lee", "Bo Li III")),
    ("Ann Lee, Carl Sagan, Sr, Bo Li, II", ("Ann Lee", "Carl Sagan, Sr", "Bo Li, II")),
    ("Ann Lee, Bo Li, IV", ("Ann Lee", "Bo Li, IV")),
    ("Ann Lee, Bo Li, et al.", ("Ann Lee", "Bo Li")),
    ("Ann Lee, Bo Li et al", ("Ann Lee", "Bo Li")),
    ("Ann Lee and others", ("Ann Lee",)),
    ("Lee, Ann; Li, Bo; et al.", ("Lee, Ann", "Li, Bo")),
    ("Ann Lee [MIT, CMU], Bo Li", ("Ann Lee", "Bo Li")),
    ("Ann Lee [1, 2], Bo Li [2]", ("Ann Lee", "Bo Li")),
    ("Ann Lee [MIT (CSAIL), CMU], Bo Li (Inria [Paris])", ("Ann Lee", "Bo Li")),
    ("Ann Lee [MIT, Bo Li", ("Ann Lee [MIT", "Bo Li")),  # unclosed: left as text
    ("Ann Lee, Bo Li, and Cy Ng", ("Ann Lee", "Bo Li", "Cy Ng")),  # Oxford comma
    ("Ann Anderson and Ferdinand Lee", ("Ann Anderson", "Ferdinand Lee")),
    ("Ann Lee; Bo Li", ("Ann Lee", "Bo Li")),
    ("Ann Lee (1) and Ann Lee (2)", ("Ann Lee", "Ann Lee")),
    ("Janet Al, Bret Alvarez", ("Janet Al", "Bret Alvarez")),  # not "et al"
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
    # Only real entity names (or numbers) are evidence of HTML; "&T;" and "&As;" are not.
    ("AT&T; Q&As; done <think> x", "AT&T; Q&As; done <think> x"),
    ("AT&T; Q&As; &#233;t&eacute; <think>", "AT&T; Q&As; été"),
    # JATS, as Crossref and OpenAlex abstracts carry it: namespaced tags, blocks part words.
    ("<jats:p>We engineer strains.</jats:p><jats:p>They grow.</jats:p>",
     "We engineer strains. They grow."),
    ("<jats:p>In <jats:italic>E. coli</jats:italic>, CO<jats:sub>2</jats:sub> is fixed.</jats:p>",
     "In E. coli, CO2 is fixed."),
    ("Strains of <jats:italic>E. coli</jats:italic> grow", "Strains of E. coli grow"),
    ("<jats:sec><jats:title>Background</jats:title><jats:p>X.</jats:p></jats:sec>",
     "Background X."),
    ("<i>In vivo</i> CO<sub>2</sub> fixation", "In vivo CO2 fixation"),
    # Comments go; so do the contents of <script> and <style>.
    ("<p>Intro.</p><!-- more --><p>Rest.</p>", "Intro. Rest."),
    ("A<!-- x -->B <b>c</b>", "AB c"),
    ('<style>.post p { color: red; }</style><p>Text.</p><script>var s = "</p>";</script>',
     "Text."),
    ("<p>a</p><SCRIPT type='text/javascript'>alert(1)</SCRIPT>b", "a b"),
    # Plain text that looks like neither stays as written.
    ("the token </s> and <xsl:template>", "the token </s> and <xsl:template>"),
    ("<!-- not HTML on its own --> x < y", "<!-- not HTML on its own --> x < y"),
])
def test_strip_html_strips_only_what_is_html(text: str, plain: str) -> None:
    assert strip_html(text) == plain
