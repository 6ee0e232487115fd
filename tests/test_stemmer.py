"""templates/assets/stemmer.js, the Snowball English (Porter2) stemmer the browser applies to a
query, against PyStemmer, which stems the index: every word of the default digest, and words
that go through every rule and exception of the algorithm, must get the same stem from both."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
import Stemmer

from generator.config import load_config
from generator.pipeline import read_papers
from generator.render.search_index import indexed
from generator.render.search_terms import terms

from .conftest import CONTENT, REPO

STEMMER_JS = REPO / "templates" / "assets" / "stemmer.js"
SHOWN = 20  # mismatches listed in a failure's message

# Words that take every rule and every exception of the algorithm, grouped by what they try.
TRICKY = [
    # Words of one and two letters are left alone; so are the exceptional forms.
    "a", "is", "as", "by", "ie", "y", "yy",
    "skis", "skis'", "skies", "sky", "idly", "gently", "ugly", "early", "only", "singly",
    "news", "howe", "atlas", "cosmos", "bias", "andes",
    # A consonant y: at the start, after a vowel (then Y is no vowel), after a Y.
    "yes", "youth", "yellow", "yielding", "sayings", "say", "saying", "boy", "boyish", "cayy",
    "eyes", "eying", "aying", "toy", "toying", "played", "players", "obeyed", "conveying",
    # R1 and R2, and the prefixes after which R1 starts: gener, commun, arsen, then (Snowball 3)
    # past, univers, later, emerg, organ, inter.
    "generate", "generates", "generated", "generating", "general", "generally", "generic",
    "generically", "generous", "generously", "generation", "communism", "communication",
    "community", "communal", "commune", "arsenal", "arsenic", "arsenals", "past", "pasts",
    "paste", "pastes", "pasted", "pasting", "pastel", "pastime", "pasture", "pastry",
    "universe", "universes", "universal", "universally", "university", "universities",
    "later", "lateral", "laterally", "lately", "latest", "emerge", "emerges", "emerging",
    "emergence", "emergency", "emergent", "organ", "organs", "organic", "organism",
    "organize", "organization", "organizations", "inter", "internal", "internally",
    "international", "interval", "intervals", "interest", "interesting", "intermediate",
    "interaction", "intervene", "beautiful", "beauty", "animadversion", "sprinkled",
    "eucharist",
    # Short syllables and short words: (a) non-vowel, vowel, non-vowel but w x Y; (b) a vowel
    # and a non-vowel as the whole word; (c) past (Snowball 3).
    "hopping", "hoping", "hoped", "hopes", "bed", "shed", "shred", "bead", "embed", "beds",
    "owed", "owing", "axed", "axing", "awed", "oxen", "rap", "trap", "entrap", "uproot",
    "bestow", "disturb", "xpaste", "repaste",
    # Step 0: apostrophes.
    "'s", "o'clock", "dog's", "dogs'", "dog's'", "'tis", "'ab", "ab'", "it's", "ma'am",
    # Step 1a.
    "caresses", "ponies", "ties", "tied", "cries", "cried", "ied", "ies", "sied", "aies",
    "caress", "cats", "gas", "gaps", "kiwis", "this", "us", "bus", "ss", "sss", "glass",
    "focus", "analysis", "kinases",
    # Step 1b: eed/eedly in R1, and the exceptions proceed, exceed, succeed (Snowball 3: in
    # the rule, so their -s and -ly forms too).
    "feed", "feeds", "agreed", "agreedly", "bleed", "speed", "needed", "needing", "seeding",
    "eed", "eeds", "proceed", "proceeds", "proceeding", "proceedings", "proceedly", "exceed",
    "exceeded", "exceeding", "exceedingly", "exceedly", "succeed", "succeeded", "succeeding",
    "succeedly", "reproceed", "overexceed",
    # Step 1b: ed, edly, ing, ingly, then at/bl/iz + e, an undoubled double, a short word + e.
    "plastered", "bled", "motoring", "sing", "sings", "singing", "conflated", "troubled",
    "sized", "hopping", "tanned", "falling", "hissing", "fizzed", "failing", "filing",
    "luxuriating", "luxuriated", "controlling", "controlled", "fitted", "fitting",
    "markedly", "amazingly", "pleasingly", "deservedly", "ing", "ed", "bbed", "king", "thing",
    "doing", "going", "being", "seeing", "fleeing", "agreeing", "abled", "ated", "ating",
    # Snowball 3: no undoubling after exactly a, e or o.
    "added", "adding", "egged", "egging", "offing", "ebbed", "odded", "abbed", "inned",
    "inning", "innings", "inningly",
    # Snowball 3: -ing after exactly a non-vowel and y becomes -ie (dying, lying, tying, vying,
    # hying); inning, outing, canning, herring, earring, evening stay.
    "dying", "lying", "tying", "vying", "hying", "dyings", "yying", "dyingly", "flying",
    "trying", "skying", "bbying", "outing", "outings", "outingly", "canning", "cannings",
    "herring", "herrings", "earring", "earrings", "evening", "evenings", "evenly", "even",
    "scanning", "routing", "binning",
    # Step 1c.
    "happy", "happily", "cry", "say", "sky's", "enjoy", "toy", "fly", "by", "bye", "employ",
    "apology", "yyy", "xy", "xyy", "aby",
    # Step 2.
    "relational", "conditional", "rational", "valenci", "valency", "hesitanci", "hesitancy",
    "digitizer", "conformabli", "conformably", "radicalli", "radically", "differentli",
    "differently", "vileli", "vilely", "analogousli", "analogously", "vietnamization",
    "predication", "operator", "feudalism", "decisiveness", "hopefulness", "callousness",
    "formaliti", "formality", "sensitiviti", "sensitivity", "sensibiliti", "sensibility",
    "ability", "possibly", "archaeology", "geology", "analogy", "biology", "ecology",
    "geologist", "geologists", "biologist", "pedagogist", "ologist", "logist", "xlogist",
    "hopefully", "carefully", "fully", "carelessly", "needlessly", "lovely", "quickly",
    "fluently", "briefly", "warmly", "happily", "crazily", "lessli",
    # Step 3.
    "triplicate", "formative", "formalize", "electriciti", "electricity", "electrical",
    "hopeful", "goodness", "sensational", "additional", "creative", "relative", "negative",
    "authenticate", "critical",
    # Step 4.
    "revival", "allowance", "inference", "airliner", "gyroscopic", "adjustable",
    "defensible", "irritant", "replacement", "adjustment", "dependent", "adoption",
    "homologou", "communism", "activate", "angulariti", "homologous", "effective",
    "bowdlerize", "decision", "infection", "onion", "million", "lion", "position",
    "government", "element", "agreement", "cement", "moment",
    # Step 5.
    "probate", "rate", "cease", "controll", "roll", "hole", "parable", "style", "fire",
    "tale", "stale", "rhyme", "smile", "mule", "able", "ate", "ape",
    # Words of the digest: learning, models, benchmarks.
    "learning", "learned", "learns", "models", "modeling", "modelling", "modeled",
    "benchmarks", "benchmarking", "datasets", "training", "trained", "transformers",
    "embeddings", "reinforcement", "generalization", "generalizes", "optimization",
    "optimizing", "optimizer", "robustness", "scalability", "interpretability", "policies",
    "agents", "agentic", "multimodal", "diffusion", "denoising", "tokenization", "attention",
    "retrieval", "alignment", "reasoning", "quantization", "inference", "evaluations",
    # Digits and letters beyond a-z pass through: they are non-vowels no rule removes.
    "x2", "gpt4", "gpt4s", "gpt4o", "a1s", "abc2ed", "1ing", "12ed", "2ying", "ying2", "3d",
    "llama3", "top10", "resnet50s", "f1", "2024", "b200s", "αβγ", "αβγs", "aαed", "ααing",
    "σισυφοσ", "ж", "жing", "一", "深度学习", "強化学習", "ﬁ", "ß", "straße", "ǆemal",
    "𐐨ing", "𠀀s", "a𠀀ed", "a𠀀𠀀ing", "a𠀀e", "𠀀ying", "x𝔼ed", "\ue000ed", "a\ue000ed",
    # ... and accented words as the caller hands them over, accents folded away.
    *terms("résumé résumés naïve naïvely café cafés über Ångström Œuvre façade fiancée "
           "coördinated rôle élan Señor Ærø", stem_words=False),
]


def _digest_words() -> list[str]:
    """Every distinct word of the default digest: the searched fields (title, authors,
    abstract) of every paper, read by the build's own reader and cut as the index cuts
    them, and every run of letters and digits of the dumps themselves, folded alike."""
    words: set[str] = set()
    for paper in read_papers(load_config(CONTENT)).papers:
        seen = indexed(paper)
        for text in (seen.title, seen.authors, seen.abstract):
            words.update(terms(text, stem_words=False))
    for dump in sorted((CONTENT / "sources").iterdir()):
        words.update(terms(dump.read_text(encoding="utf-8", errors="replace"),
                           stem_words=False))
    return sorted(words)


@pytest.fixture(scope="module")
def page(browser: object) -> Iterator[object]:
    """A blank page with stemmer.js run as a classic script, and nothing else."""
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("about:blank")
    before = set(page.evaluate("Object.keys(window)"))
    page.add_script_tag(path=str(STEMMER_JS))
    added = set(page.evaluate("Object.keys(window)")) - before
    assert not errors, errors
    assert added == {"digestStem"}, f"stemmer.js should define window.digestStem only: {added}"
    yield page
    page.close()


def _disagreements(page: object, words: Sequence[str]) -> list[str]:
    """The words whose stem from stemmer.js differs from PyStemmer's, described; one
    page.evaluate for all of them."""
    got = page.evaluate("(ws) => ws.map((w) => window.digestStem(w))",  # type: ignore[attr-defined]
                        list(words))
    want = Stemmer.Stemmer("english").stemWords(list(words))
    return [f"{w!r}: PyStemmer {e!r}, stemmer.js {g!r}"
            for w, e, g in zip(words, want, got, strict=True) if e != g]


def _report(bad: list[str], words: Sequence[str]) -> str:
    return (f"stemmer.js and PyStemmer disagree on {len(bad)} of {len(words)} words"
            + (f" (the first {SHOWN})" if len(bad) > SHOWN else "") + ":\n  "
            + "\n  ".join(bad[:SHOWN]))


@pytest.mark.browser
def test_every_word_of_the_default_digest_stems_as_pystemmer_does(page: object) -> None:
    words = _digest_words()
    assert len(words) > 3000, f"only {len(words)} words read from {CONTENT}"
    bad = _disagreements(page, words)
    assert not bad, _report(bad, words)


@pytest.mark.browser
def test_every_rule_and_exception_stems_as_pystemmer_does(page: object) -> None:
    words = list(dict.fromkeys(TRICKY))
    bad = _disagreements(page, words)
    assert not bad, _report(bad, words)


@pytest.mark.browser
def test_a_word_is_a_string_in_and_a_string_out(page: object) -> None:
    # The same function twice gives the same stem (no state kept between calls), and the
    # empty string is a word of no letters.
    got = page.evaluate("() => [window.digestStem('generalizations'),"  # type: ignore[attr-defined]
                        " window.digestStem('generalizations'), window.digestStem('')]")
    assert got == ["general", "general", ""]


def test_pystemmer_is_the_snowball_3_english_stemmer() -> None:
    # stemmer.js follows Snowball 3's English stemmer; PyStemmer older than 3 carries
    # Snowball 2, which stems these otherwise, and the index would not match the queries.
    stem = Stemmer.Stemmer("english").stemWord
    nuances = {
        # 'past' is a short syllable
        "paste": "paste", "pasted": "paste", "past": "past",
        # the new R1 prefixes
        "lateral": "lateral", "universal": "universal", "emergency": "emergenc",
        "organization": "organiz", "internal": "internal",
        # a non-vowel + ying -> ie; the -ing and -eed exceptions in their rules
        "vying": "vie", "dying": "die", "evening": "evening", "herrings": "herring",
        "proceedly": "proceed",
        # no undoubling after exactly a, e or o; -ogist -> -og
        "added": "add", "egged": "egg", "hopping": "hop", "geologist": "geolog",
    }
    assert {w: stem(w) for w in nuances} == nuances
