"""Inline TeX shown readably: the seeds' math and commands converted, HTML always escaped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.config import load_config
from generator.stages.read import read_sources
from generator.text.tex import tex_to_html, tex_to_text

from .conftest import CONTENT

COMMAND = re.compile(r"\\[A-Za-z]+")


@pytest.fixture(scope="module")
def seed_strings() -> list[str]:
    config = load_config(CONTENT)
    listings = read_sources(config.sources_dir, config.sources).listings
    return [s for x in listings for s in (x.title, x.abstract)]


def test_seed_math_and_commands_are_all_converted(seed_strings: list[str]) -> None:
    converted = [tex_to_text(s) for s in seed_strings]
    for before, after in zip(seed_strings, converted, strict=True):
        assert not COMMAND.search(after), after
        # The only dollars left are money ("\$1.30", "$0.031"), never half a math pair.
        assert all(after[i + 1:i + 2].isdigit() for i, c in enumerate(after) if c == "$"), after
        assert "~" not in after or "~" in re.sub(r"https?://\S+", "", before)
    # The seeds hold three math pairs and these commands; none survives.
    joined = "\n".join(seed_strings)
    assert len(re.findall(r"(?<!\\)\$[^$\s][^$]*(?<!\s)\$", joined)) == 3
    assert set(COMMAND.findall(joined)) == {
        r"\eg", r"\model", r"\faGithub", r"\em", r"\textcolor"}


@pytest.mark.parametrize(("tex", "text"), [
    ("AstroM$^3$: A self-supervised multimodal model for astronomy",
     "AstroM³: A self-supervised multimodal model for astronomy"),
    ("Human Feedback from Pairwise or $K$-wise Comparisons",
     "Human Feedback from Pairwise or K-wise Comparisons"),
    ("a generative model p is $k-NAF if for every potentially copyrighted data C, the output "
     "of p diverges by at most k-bits from the output of a model q that did not access C at "
     "all$. We also", "a generative model p is k-NAF if for every potentially copyrighted data "
     "C, the output of p diverges by at most k-bits from the output of a model q that did not "
     "access C at all. We also"),
    (r"requires less than \$1.30 in compute", "requires less than $1.30 in compute"),
    ("only 3% the cost (at $0.031 each), we", "only 3% the cost (at $0.031 each), we"),
    (r"an avg. 40\% improvement", "an avg. 40% improvement"),
    (r"by 4.97\%and 22.5\%, respectively.", "by 4.97%and 22.5%, respectively."),
    (r"speed up the learning process, \eg, from", "speed up the learning process, e.g., from"),
    (r"Our results show that \model achieves", "Our results show that model achieves"),
    (r"available at \faGithub~ https://github.com/tigerchen52/PEARL abstract",
     "available at https://github.com/tigerchen52/PEARL abstract"),
    (r"between certain {\em reconstruction-based} pretext tasks",
     "between certain reconstruction-based pretext tasks"),
    (r"tasks. \textcolor[rgb]{1, 0, 0}{Code available at http://www.bhchen.cn/}.",
     "tasks. Code available at http://www.bhchen.cn/."),
    (r"representations (e.g.\ Word2vec, Fasttext)", "representations (e.g. Word2vec, Fasttext)"),
    ("self-supervised learning~(SSL)~framework", "self-supervised learning (SSL) framework"),
    ("at https://github.com/NJU-RL/ACORM}{https://github.com/NJU-RL/ACORM.",
     "at https://github.com/NJU-RL/ACORM."),
    ("the link: blue{https://github.com/RUCAIBox/DCLR}.",
     "the link: https://github.com/RUCAIBox/DCLR."),
    ("our https://github.com/HanxunH/Detect-CLIP-Backdoor-Samples{GitHub repository}.",
     "our https://github.com/HanxunH/Detect-CLIP-Backdoor-Samples GitHub repository."),
    ("at {https://github.com/zahrag/BIOSCAN-5M}", "at https://github.com/zahrag/BIOSCAN-5M"),
    ("an R^2 score, 10^6 samples and 10^{-1}", "an R² score, 10⁶ samples and 10⁻¹"),
    ("solutions to {feature suppression}.", "solutions to feature suppression."),
    ("``informative'' condition", "“informative” condition"),
])
def test_seed_conversions(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(("tex", "text"), [
    (r"$\alpha$, $\beta_1$, $\Omega$", "α, β₁, Ω"),
    (r"$_2$ and H$_2$O and $x^{n+1}$", "₂ and H₂O and xⁿ⁺¹"),
    (r"$a \times b \leq c \sim d \geq e \neq f \approx g \to h \in \mathbb{R}^n$",
     "a × b ≤ c ∼ d ≥ e ≠ f ≈ g → h ∈ ℝⁿ"),
    (r"$\mathcal{X}$, $\mathcal{O}(n \log n)$, \textbf{bold}, \emph{it}",
     "𝒳, 𝒪(n log n), bold, it"),
    (r"$\frac{1}{2}$, $\frac{a+b}{c}$, $\sqrt{d}$, $x^\top$", "1/2, (a+b)/c, √d, xᵀ"),
    (r"$x_{\text{ViT}}$ and $y^{Q}$", "x_(ViT) and y^Q"),
    (r"\unknown{thing} and \foo end", "unknown thing and foo end"),
    (r"$\left( x \right)$ and {\bf strong} and \'ecole", "( x ) and strong and école"),
    ("$20 and $30 stay money; $ x$ and $x $ are no math",
     "$20 and $30 stay money; $ x$ and $x $ are no math"),
    ("$$E = mc^2$$ is display math", "E = mc² is display math"),
    ("an unclosed $x and a brace { that never closes",
     "an unclosed $x and a brace  that never closes"),
    ("stray } brace and trailing backslash \\", "stray  brace and trailing backslash "),
    ("http://x.edu/~user/a_b^2 is a URL, untouched",
     "http://x.edu/~user/a_b^2 is a URL, untouched"),
])
def test_general_conversions(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


def test_html_escapes_everything() -> None:
    assert str(tex_to_html("$<script>$alert(1)</script>")) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert str(tex_to_html(r"\textbf{<b>} & {\em x}")) == (
        "<strong>&lt;b&gt;</strong> &amp; <em>x</em>")
    assert "<img" not in str(tex_to_html(r"$x^{<img src=x onerror=alert(1)>}$"))


def test_html_uses_unicode_where_it_can_and_tags_where_it_cannot() -> None:
    assert str(tex_to_html("AstroM$^3$ and $x_{ViT}$ and $y^{Q}$")) == (
        "AstroM³ and x<sub>ViT</sub> and y<sup>Q</sup>")


def test_html_links_urls_with_quotes_escaped() -> None:
    html = str(tex_to_html(r"\faGithub~ https://github.com/a/b}."))
    assert html == ('<a href="https://github.com/a/b" rel="nofollow noopener">'
                    "https://github.com/a/b</a>.")


@given(st.text(alphabet="ab$\\{}^_~<>&\"' xe0123456789mathcal", max_size=40))
def test_never_crashes_never_leaves_commands_and_html_is_escaped(s: str) -> None:
    text = tex_to_text(s)
    assert not COMMAND.search(text)
    html = str(tex_to_html(s))
    assert "<" not in re.sub(r"</?(sup|sub|em|strong)>", "", html)
