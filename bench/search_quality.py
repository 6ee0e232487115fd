#!/usr/bin/env python3
"""Search quality: our search page against Pagefind on the default digest, judged query by query.

    python bench/search_quality.py                      # builds content/ into a temporary site
    python bench/search_quality.py --site site --out bench/out/search_quality.md

Each query below has a kind (typo, hyphen, stem, phrase, author, prefix, acronym) and a
relevance rule written from what the query means, before any system's results were seen: one
or more regular expressions (all must match, case-insensitive) over a paper's own text, its
title + abstract (+ authors for author queries), read from the site's public data
(data/papers/*.json, docs/data.md). The default digest's papers carry no author lists, so the
"author" queries are surnames that occur in the papers' text: authors cited in abstracts
("Kusupati et al.") and people named in methods (Wasserstein, Bellman).

The site is served from 127.0.0.1 (gzip, as GitHub Pages) and every query is run in headless
Chromium against
  ours      search.html?q=<query>; done when the page dispatches the document event
            `digest:searched` (or, for a search.js that does not send it yet, when
            #search-status stops saying "Searching…"); the results are #search-results > li,
            each linking its paper page (.paper-title a -> papers/<slug>.html);
  Pagefind  `pagefind --site <copy> --glob "papers/*.html"`, indexing each paper page's
            article (title, authors and abstract: the page's first-seen line, reading links,
            themes, related papers and sources are excluded, so both systems read the same
            text), queried through
            its JS API (pf.search(q), then data() of the top 5).
For both: hits (what the system says it found), relevant in the top 5, precision@5 (relevant
in the top 5 / 5), and the mean per kind and overall; also "of possible" (relevant in the top
5 / min(5, relevant papers in the whole digest): a perfect answer scores 1 even for a surname
cited by one paper).
Output: a Markdown table on stdout and in --out, the raw answers in the .json beside it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_browser as sb  # noqa: E402 (the bench folder is not a package)

REPO = Path(__file__).resolve().parent.parent
TOP = 5


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    rule: tuple[str, ...]  # every pattern must match (re.I) the paper's text
    authors: bool = False  # the text judged includes the authors

    def relevant(self, paper: dict) -> bool:
        parts = [paper.get("title") or "", paper.get("abstract") or ""]
        if self.authors:
            parts.append(", ".join(paper.get("authors") or []))
        text = "\n".join(parts)
        return all(re.search(p, text, re.I) for p in self.rule)


def Q(kind: str, text: str, *rule: str, authors: bool = False) -> Query:  # noqa: N802
    return Query(kind, text, rule, authors)


# The rules say what the query means, not how either system matches it.
QUERIES: tuple[Query, ...] = (
    # A word misspelt: the reader means the correct word.
    Q("typo", "reinforcment learning", r"reinforcement[- ]learning"),
    Q("typo", "embeding", r"\bembeddings?\b"),
    Q("typo", "contrastvie", r"\bcontrastive"),
    Q("typo", "transfomer", r"\btransformers?\b"),
    # A hyphenated word: written with a hyphen, a space or closed up in the papers.
    Q("hyphen", "model-based", r"\bmodel[- ]?based\b"),
    Q("hyphen", "pre-training", r"\bpre[- ]?train"),
    Q("hyphen", "self-supervised", r"\bself[- ]?supervis"),
    Q("hyphen", "zero-shot", r"\bzero[- ]?shot"),
    # Another form of the word: any inflection or derivation of the same stem is relevant.
    Q("stem", "learned representations", r"\blearn", r"\brepresentation"),
    Q("stem", "contrast", r"\bcontrast"),
    Q("stem", "planning", r"\bplan(s|ned|ner|ners|ning)?\b"),
    Q("stem", "policies", r"\bpolic(y|ies)\b"),
    Q("stem", "generalizing", r"\bgenerali[sz]"),
    # A quoted phrase: the words together, in that order (plural allowed).
    Q("phrase", '"world model"', r"\bworld[- ]models?\b"),
    Q("phrase", '"skill discovery"', r"\bskills?[- ]discovery\b"),
    Q("phrase", '"sentence embeddings"', r"\bsentence[- ]embeddings?\b"),
    Q("phrase", '"reward function"', r"\breward[- ]functions?\b"),
    # A surname: the person is an author, cited, or names the method.
    Q("author", "Kusupati", r"\bkusupati\b", authors=True),
    Q("author", "Socher", r"\bsocher\b", authors=True),
    Q("author", "Bordes", r"\bbordes\b", authors=True),
    Q("author", "Wasserstein", r"\bwasserstein\b", authors=True),
    Q("author", "Bellman", r"\bbellman\b", authors=True),
    # The start of a word, as typed before it is finished: any word it begins.
    Q("prefix", "embed", r"\bembed"),
    Q("prefix", "tokeniz", r"\btokeni[sz]"),
    Q("prefix", "represent", r"\brepresent"),
    Q("prefix", "hierarch", r"\bhierarch"),
    # An acronym: the acronym itself or what it stands for.
    Q("acronym", "RL", r"\bRL\b|reinforcement[- ]learning"),
    Q("acronym", "LLM", r"\bLLMs?\b|large[- ]language[- ]models?"),
    Q("acronym", "VAE", r"\bVAEs?\b|variational[- ]auto-?encoders?"),
    Q("acronym", "MCTS", r"\bMCTS\b|monte[- ]carlo[- ]tree[- ]search"),
    Q("acronym", "JEPA", r"\bJEPA\b|joint[- ]embedding[- ]predictive"),
)
KINDS = ("typo", "hyphen", "stem", "phrase", "author", "prefix", "acronym")

# Pagefind reads each paper page's article only, less the parts that are not the paper's
# own text (our index reads title, authors and abstract).
PAGEFIND_ROOT = "article.paper"
PAGEFIND_EXCLUDE = ("p.meta:not(.authors)", ".reading", "section[aria-labelledby=themes]",
                    "section[aria-labelledby=related]", "section[aria-labelledby=sources]")


def load_papers(site: Path) -> dict[str, dict]:
    """Every paper of the site's public data, by slug."""
    index = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))
    return {row["slug"]: row for part in index["parts"]
            for row in json.loads(gzip.decompress((site / part["path"]).read_bytes()))}


def build_default(work: Path) -> Path:
    """The default digest (a copy of content/) built into work/site."""
    from run import digest_cmd  # bench/run.py

    shutil.copytree(REPO / "content", work / "content")
    site = work / "site"
    done = subprocess.run([*digest_cmd(), "build", "--content", str(work / "content"), "--out",
                           str(site)], capture_output=True, text=True, cwd=work, check=False)
    if done.returncode != 0:
        raise SystemExit(f"digest build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return site


def judge(query: Query, answer: sb.Answer, papers: dict[str, dict], relevant_total: int
          ) -> dict:
    top = answer.slugs[:TOP]
    marks = [bool(papers.get(s)) and query.relevant(papers[s]) for s in top]
    found = sum(marks)
    ideal = min(TOP, relevant_total)
    return {"hits": answer.total, "top": top, "relevant_marks": marks, "relevant": found,
            "p5": found / TOP, "p5_of_possible": found / ideal if ideal else None,
            "ms": answer.ms, "how": answer.how,
            "error": answer.error, "unknown": [s for s in top if s not in papers]}


def run(site: Path, work: Path) -> dict:
    from run import pagefind_cmd, version_of  # bench/run.py

    papers = load_papers(site)
    pagefind = pagefind_cmd()
    if pagefind is None:
        raise SystemExit("Pagefind is not installed (pip install 'pagefind[bin]')")
    pf_site = work / "pagefind-site"
    shutil.rmtree(pf_site, ignore_errors=True)
    shutil.copytree(site, pf_site)
    if not sb.run_pagefind_index(pagefind, pf_site, work / "pagefind.log", glob="papers/*.html",
                                 root_selector=PAGEFIND_ROOT, exclude=PAGEFIND_EXCLUDE):
        raise SystemExit(f"pagefind failed: see {work / 'pagefind.log'}")
    event = sb.page_sends_event(site)
    rows = []
    with sb.chromium() as browser, sb.serve(site) as (ours_base, _), \
            sb.serve(pf_site) as (pf_base, _):
        ours_context = browser.new_context()
        sb.prepare_ours(ours_context)
        ours_page = ours_context.new_page()
        pf_page = browser.new_context().new_page()
        sb.open_blank(pf_page, pf_base)
        for query in QUERIES:
            relevant_total = sum(query.relevant(p) for p in papers.values())
            ours = sb.query_ours(ours_page, ours_base, query.text, event)
            theirs = sb.query_pagefind(pf_page, query.text, TOP)
            rows.append({"kind": query.kind, "query": query.text, "rule": list(query.rule),
                         "relevant_in_digest": relevant_total,
                         "ours": judge(query, ours, papers, relevant_total),
                         "pagefind": judge(query, theirs, papers, relevant_total)})
            say(f"{query.kind:8} {query.text!r:28} ours {rows[-1]['ours']['relevant']}/5 "
                f"pagefind {rows[-1]['pagefind']['relevant']}/5")
    return {"papers": len(papers), "completion": "event" if event else "status",
            "pagefind": version_of(pagefind, "--version"), "queries": rows,
            "summary": summary(rows)}


def _mean(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return mean(values) if values else None


def summary(rows: list[dict]) -> dict:
    out = {}
    for kind in (*KINDS, "overall"):
        chosen = [r for r in rows if kind in ("overall", r["kind"])]
        out[kind] = {"queries": len(chosen)}
        for system in ("ours", "pagefind"):
            out[kind][system] = _mean([r[system]["p5"] for r in chosen])
            out[kind][f"{system}_of_possible"] = _mean([r[system]["p5_of_possible"]
                                                        for r in chosen])
    return out


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render(result: dict) -> str:
    done = ("the digest:searched event" if result["completion"] == "event"
            else "#search-status (the page sends no digest:searched event yet)")
    out = [f"# Search quality: ours against Pagefind ({result['papers']} papers, default digest)",
           "",
           f"Top {TOP} of each system judged by the query's rule over the paper's own text. "
           "P@5 = relevant in the top 5 / 5; of possible = relevant in the top 5 / min(5, "
           f"relevant papers in the digest). Pagefind: {result['pagefind']}. Ours "
           f"finished on {done}.",
           "", "## Per kind", "",
           "| kind | queries | ours P@5 | Pagefind P@5 | ours, of possible | "
           "Pagefind, of possible |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, row in result["summary"].items():
        name = f"**{kind}**" if kind == "overall" else kind
        out.append(f"| {name} | {row['queries']} | {fmt(row['ours'])} | "
                   f"{fmt(row['pagefind'])} | {fmt(row['ours_of_possible'])} | "
                   f"{fmt(row['pagefind_of_possible'])} |")
    out += ["", "## Per query", "",
            "| kind | query | relevant in digest | ours hits | ours relevant in top 5 | "
            "ours P@5 | Pagefind hits | Pagefind relevant in top 5 | Pagefind P@5 |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in result["queries"]:
        cells = []
        for system in ("ours", "pagefind"):
            s = r[system]
            hits = "error" if s["error"] else ("?" if s["hits"] is None else f"{s['hits']:,}")
            cells += [hits, f"{s['relevant']} of {len(s['top'])}", fmt(s["p5"])]
        query = r["query"].replace("|", "\\|")
        out.append(f"| {r['kind']} | `{query}` | {r['relevant_in_digest']} | "
                   + " | ".join(cells) + " |")
    out += ["", "Rules (case-insensitive; all patterns of a rule must match):", ""]
    for r in result["queries"]:
        out.append(f"- `{r['query']}`: " + " and ".join(f"`/{p}/`" for p in r["rule"]))
    return "\n".join(out) + "\n"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built default digest (default: build one)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "search_quality.md",
                        help="the Markdown report; the JSON goes beside it (.json)")
    args = parser.parse_args(argv)
    missing = sb.browser_missing()
    if missing:
        raise SystemExit(missing)
    with tempfile.TemporaryDirectory(prefix="search-quality-") as tmp:
        work = Path(tmp)
        site = args.site.resolve() if args.site else build_default(work)
        result = run(site, work)
    text = render(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(sb.dumps(result), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
