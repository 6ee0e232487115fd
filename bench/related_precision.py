"""Precision of the related papers on the default digest, from hand judgments.

bench/judged/related.json holds a fixed sample of papers (SAMPLE of the default digest's,
drawn with SEED) and judgments of (paper, related paper) pairs made by reading both titles and
abstracts: related when a reader of the first would want the second (same method, problem or
setting; not merely both "RL" or both "LLM"). This script computes the related papers with the
current code, then reports for the sample: links shown, links judged related (precision),
papers showing none, and every shown pair not judged yet (judge those and add them to the
file; never change an earlier judgment).

    PYTHONPATH=. python bench/related_precision.py            # the figures, unjudged pairs
    PYTHONPATH=. python bench/related_precision.py --unjudged # also their abstracts, to judge
    PYTHONPATH=. python bench/related_precision.py --sample   # (re)draw the sample's ids
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from generator.config import load_config
from generator.models import Paper
from generator.pipeline import read_papers
from generator.stages.related import relate_papers

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ROOT / "bench" / "judged" / "related.json"
SEED = 26  # issue 26
SAMPLE = 25


def default_papers() -> dict[str, Paper]:
    """The default digest's papers by id, read as a build reads them (no cache)."""
    config = load_config(ROOT / "content")
    return {p.id: p for p in read_papers(config).papers}


def draw_sample(papers: dict[str, Paper]) -> list[str]:
    """SAMPLE paper ids drawn with SEED from the ids in sorted order (independent of the code
    under judgment)."""
    return sorted(random.Random(SEED).sample(sorted(papers), SAMPLE))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unjudged", action="store_true",
                        help="print the unjudged pairs' abstracts too")
    parser.add_argument("--sample", action="store_true", help="print the sample's ids and exit")
    args = parser.parse_args()
    papers = default_papers()
    if args.sample:
        print(json.dumps(draw_sample(papers), indent=1))
        return 0
    judged = json.loads(JUDGED.read_text())
    verdict = {(j["paper_id"], j["related_id"]): j["related"] for j in judged["judgments"]}
    related, _ = relate_papers(list(papers.values()))
    shown = right = none = 0
    unjudged: list[tuple[str, str]] = []
    for pid in judged["sample"]:
        links = related[pid]
        shown += len(links)
        none += not links
        for rid in links:
            if (pid, rid) not in verdict:
                unjudged.append((pid, rid))
            right += verdict.get((pid, rid), False)
    judged_shown = shown - len(unjudged)
    print(f"sample: {len(judged['sample'])} papers (seed {judged['seed']})")
    print(f"links shown: {shown}; judged: {judged_shown}; judged related: {right}")
    if judged_shown:
        print(f"precision (related / judged links): {right / judged_shown:.2f}")
    print(f"papers showing none: {none}")
    print(f"papers showing 5: {sum(len(related[p]) == 5 for p in judged['sample'])}")
    for pid, rid in unjudged:
        print(f"UNJUDGED {pid} -> {rid}: {papers[pid].title} -> {papers[rid].title}")
        if args.unjudged:
            print(f"    paper:   {papers[pid].abstract}\n    related: {papers[rid].abstract}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
