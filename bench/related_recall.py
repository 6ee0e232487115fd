"""Recall of a built site's related papers against the exact search.

Above stages.related.EXACT_LIMIT papers the build finds each paper's related papers through
candidates (stages/related/candidates.py), which can miss a true neighbour. This script draws
a sample of papers (SAMPLE, with a fixed seed, from the ids in sorted order), computes each
one's exact top 5 by brute force, and compares it with the list its built page shows:

  exact     every sampled row's cosine similarity with every row (one sparse product over the
            rows the build uses: stages.related.paper_rows, the same fit on the same training
            papers), the paper itself left out, scores below stages.related.FLOOR or of 0 left
            out, the best 5 by score descending, ties to the lower row (as stages/related/exact.py
            orders them); nothing from candidates.py
  shown     the links of the page's <ol class="related"> (papers/<slug>.html), in order
  recall    shared / exact, summed over the sample (1.0 when no sampled paper has any)
  equal     the share of sampled papers whose shown list is the exact one, in the same order

    python bench/related_recall.py /tmp/rel100k/site /tmp/rel100k/content
    python bench/related_recall.py SITE CONTENT --sample 1000 --seed 0 --json

bench/run.py calls measure() after a cold build. The papers are read as the build reads them
(pipeline.read_papers, no cache), so the site must have been built from that content folder.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from generator.config import load_config
from generator.pipeline import read_papers
from generator.stages.related import FLOOR, paper_rows

SAMPLE = 1000
K = 5  # the related papers a page shows at most
ROWS_PER_PRODUCT = 100  # sampled rows per sparse product: 100 x n float32 scores at a time

_SECTION = re.compile(r'<ol class="related">(.*?)</ol>', re.S)
_LINK = re.compile(r'href="(?:\.\./)?papers/([^"/]+)\.html"')


def measure(site: Path, content: Path, sample: int = SAMPLE, seed: int = 0) -> dict:
    """Recall of the related papers shown by `site` (built from `content`) against the exact
    search, on `sample` papers drawn with `seed`: a dict of the figures (see the module's
    docstring), with the counts behind them."""
    started = time.perf_counter()
    papers = read_papers(load_config(Path(content))).papers
    ordered, rows = paper_rows(papers)
    index = {p.id: i for i, p in enumerate(ordered)}
    by_slug = {p.slug: i for i, p in enumerate(ordered)}
    drawn = sorted(random.Random(seed).sample(sorted(index), min(sample, len(index))))
    chosen = np.array([index[pid] for pid in drawn], dtype=np.int64)
    exact = exact_top(rows, chosen, K, FLOOR)
    shown = [shown_related(Path(site), ordered[i].slug, by_slug) for i in chosen.tolist()]
    exact_links = sum(len(e) for e in exact)
    shared = sum(len(set(e) & set(s)) for e, s in zip(exact, shown, strict=True))
    equal = sum(e == s for e, s in zip(exact, shown, strict=True))
    return {
        "papers": len(ordered),
        "sample": len(chosen),
        "seed": seed,
        "k": K,
        "floor": FLOOR,
        "exact_links": exact_links,
        "shown_links": sum(len(s) for s in shown),
        "shared_links": shared,
        "recall": shared / exact_links if exact_links else 1.0,
        "equal": equal / len(chosen) if len(chosen) else 1.0,
        "equal_papers": equal,
        "papers_with_none_exact": sum(not e for e in exact),
        "papers_with_none_shown": sum(not s for s in shown),
        "seconds": round(time.perf_counter() - started, 1),
    }


def exact_top(rows: sp.csr_matrix, chosen: np.ndarray, k: int, floor: float
              ) -> list[tuple[int, ...]]:
    """For each row in `chosen`, the k rows of `rows` with the highest dot product, itself
    excluded, score > 0 and >= floor; by score descending, then row ascending. Brute force:
    every chosen row against every row."""
    rows = sp.csr_matrix(rows, dtype=np.float32)
    rows_t = rows.T.tocsr()
    found: list[tuple[int, ...]] = []
    for start in range(0, len(chosen), ROWS_PER_PRODUCT):
        part = chosen[start:start + ROWS_PER_PRODUCT]
        scores = (rows[part] @ rows_t).toarray()
        scores[np.arange(len(part)), part] = -np.inf  # never one's own neighbour
        for line in scores:
            cols = np.flatnonzero((line > 0) & (line >= floor))
            order = np.lexsort((cols, -line[cols]))[:k]  # score descending, then row
            found.append(tuple(cols[order].tolist()))
    return found


def shown_related(site: Path, slug: str, by_slug: dict[str, int]) -> tuple[int, ...]:
    """The rows (by_slug: slug -> row) of the related papers on a paper's built page."""
    page = site / "papers" / f"{slug}.html"
    found = _SECTION.search(page.read_text(encoding="utf-8"))
    if found is None:  # no section: the page shows no related paper
        return ()
    return tuple(by_slug[s] for s in _LINK.findall(found.group(1)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="the built site")
    parser.add_argument("content", type=Path, help="the content folder it was built from")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="papers to sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    got = measure(args.site, args.content, args.sample, args.seed)
    if args.json:
        print(json.dumps(got, indent=1))
        return 0
    print(f"{got['papers']:,} papers, sample {got['sample']:,} (seed {got['seed']}), top "
          f"{got['k']} scoring >= {got['floor']}:")
    print(f"  recall {got['recall']:.4f} ({got['shared_links']:,} of {got['exact_links']:,} "
          f"exact links shown; {got['shown_links']:,} shown)")
    print(f"  lists exactly equal {got['equal']:.4f} ({got['equal_papers']:,} papers)")
    print(f"  papers with no related paper: exact {got['papers_with_none_exact']:,}, shown "
          f"{got['papers_with_none_shown']:,}  ({got['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
