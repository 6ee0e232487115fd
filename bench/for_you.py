#!/usr/bin/env python3
"""The For you ranking: how well it ranks held-out library papers, and what it costs a build.

    python bench/for_you.py quality                      # the held-out evaluation's table
    python bench/for_you.py speed --papers 10000 --library 2000 --runs 3

quality: the evaluation of generator/stages/interests/evaluation.py on the default digest,
for the example library (content/interests/) and for three "search libraries": the papers
that only one of the shipped Hugging Face searches listed, as if a reader had saved exactly
that search's results. Each with seeds 0, 1 and 2 of the four-fold split, averaged.

speed: a synthetic corpus of N papers (bench/run.py's) and a BibTeX library of L entries, as
Zotero exports one: a topical library, as an owner's is (a random sample of a recombined
corpus would rank most of it "for you"), of the corpus' papers whose title names a topic of
the example library (TOPIC), up to three quarters of L, and papers on those topics that
the corpus does not hold for the rest; dated over three years by `urldate`. Cold builds
without and with the `interests:` section alternate (--runs each; medians), then one
incremental build each after `digest ingest` of the next week's 200 papers, the library
unchanged. Only the standard library and the project are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402  (bench/run.py, beside this script)
    FIRST_WEEK,
    REPO,
    WEEKS,
    PaperMaker,
    build_ours,
    digest_cmd,
    load_seeds,
    make_corpus,
)

SEARCHES = {  # the shipped dumps that make search libraries, by their query
    "skills": "004_28fae66a7931d339.txt",
    "task embeddings": "002_e19e62a2dc6055c4.txt",
    "skill embeddings": "000_2ea270ecf2e2adad.txt",
}
TOPIC = re.compile(r"reinforcement|world model|policy|policies|skill|agent|planning|robot", re.I)
INTERESTS = """
interests:
  library: [interests/library.bib]
  follow_authors: [Danijar Hafner]
"""


def quality() -> str:
    sys.path.insert(0, str(REPO))
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.stages.interests.evaluation import evaluate, search_library
    from generator.stages.interests.library import read_library

    config = load_config(REPO / "content")
    papers = read_papers(config).papers
    assert config.interests is not None
    libraries = {"example library": read_library(config.interests, config.content_dir)}
    for query, dump in SEARCHES.items():
        libraries[f"search “{query}”"] = search_library(papers, dump)
    rows = ["| library | held out | method | precision@10 | average precision |",
            "| --- | ---: | --- | ---: | ---: |"]
    for name, library in libraries.items():
        runs = [evaluate(papers, library, random_state=seed) for seed in (0, 1, 2)]
        for method in ("model", "keyword", "random"):
            p10 = statistics.mean(r.of(method).precision_at_10 for r in runs)
            ap = statistics.mean(r.of(method).average_precision for r in runs)
            rows.append(f"| {name} | {runs[0].held_out} | {method} | {p10:.3f} | {ap:.3f} |")
    return "\n".join(rows)


def write_library(path: Path, corpus: list[tuple[str, str]], size: int, seed: int) -> None:
    """A Zotero-style BibTeX export of `size` entries (see the module docstring)."""
    rng = random.Random(f"for-you-bench:{seed}")
    topical = [paper for paper in corpus if TOPIC.search(paper[0])]
    held = rng.sample(topical, min(len(topical), size * 3 // 4))
    maker = PaperMaker(load_seeds(), rng, taken={t for t, _ in corpus})
    others: list[tuple[str, str]] = []
    while len(others) < size - len(held):  # papers on the same topics, outside the corpus
        paper = maker.paper()
        if TOPIC.search(paper[0]):
            others.append(paper)
    start = dt.date(2022, 1, 1)
    entries = []
    for i, (title, abstract) in enumerate(held + others):
        day = start + dt.timedelta(days=rng.randrange(3 * 365))
        entries.append(f"@misc{{entry{i},\n\ttitle = {{{_bib(title)}}},\n"
                       f"\tabstract = {{{_bib(abstract)}}},\n\tpublisher = {{arXiv}},\n"
                       f"\tyear = {{{day.year}}},\n\turldate = {{{day.isoformat()}}},\n}}\n")
    path.write_text("\n".join(entries), encoding="utf-8")


def _bib(text: str) -> str:
    return text.replace("\\", " ").replace("{", "(").replace("}", ")").replace("%", "\\%")


def corpus_papers(content: Path) -> list[tuple[str, str]]:
    sys.path.insert(0, str(REPO))
    from generator.config import load_config
    from generator.pipeline import read_papers

    return [(p.title, p.abstract) for p in read_papers(load_config(content)).papers]


def speed(args: argparse.Namespace) -> str:
    work = args.out
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base, _ = make_corpus(work / "corpus", args.papers, 0, load_seeds())
    projects = {}
    for name in ("without", "with"):
        content = work / name / "content"
        shutil.copytree(base, content)
        shutil.copy2(work / "corpus" / "increment.txt", work / name / "increment.txt")
        projects[name] = content
    (projects["with"] / "interests").mkdir()
    write_library(projects["with"] / "interests" / "library.bib", corpus_papers(base),
                  args.library, 0)
    with (projects["with"] / "digest.yaml").open("a", encoding="utf-8") as digest:
        digest.write(INTERESTS)
    cold: dict[str, list[float]] = {"without": [], "with": []}
    for run in range(args.runs):
        for name, content in projects.items():
            measured = build_ours(content, content.parent / "site", work / f"{name}-{run}.log",
                                  None, cold=True)
            if not measured.ok:
                raise SystemExit(f"{name}: build failed, see {work / f'{name}-{run}.log'}")
            cold[name].append(measured.wall)
            print(f"cold {name} #{run + 1}: {measured.wall:.2f} s", flush=True)
    incremental = {}
    for name, content in projects.items():
        subprocess.run([*digest_cmd(), "ingest", str(content.parent / "increment.txt"),
                        "--content", str(content), "--date",
                        (FIRST_WEEK + dt.timedelta(weeks=WEEKS)).isoformat(), "--query",
                        "synthetic increment"], check=True, capture_output=True)
        measured = build_ours(content, content.parent / "site", work / f"{name}-inc.log",
                              None, cold=False)
        incremental[name] = measured.wall
        print(f"incremental {name}: {measured.wall:.2f} s", flush=True)
    a, b = statistics.median(cold["without"]), statistics.median(cold["with"])
    return "\n".join([
        f"{args.papers} papers, a library of {args.library} entries, {args.runs} runs each",
        "| build | without interests | with interests | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| cold (median) | {a:.2f} s | {b:.2f} s | {b / a:.3f} |",
        f"| incremental (unchanged library) | {incremental['without']:.2f} s | "
        f"{incremental['with']:.2f} s | {incremental['with'] / incremental['without']:.3f} |"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("quality", help="the held-out evaluation on the default digest")
    timed = sub.add_parser("speed", help="cold and incremental builds with and without")
    timed.add_argument("--papers", type=int, default=10_000)
    timed.add_argument("--library", type=int, default=2_000)
    timed.add_argument("--runs", type=int, default=3)
    timed.add_argument("--out", type=Path, default=Path("/tmp/digest-for-you-bench"))
    args = parser.parse_args(argv)
    print(quality() if args.command == "quality" else speed(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
