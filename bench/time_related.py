"""Time the related-papers stage alone on a content folder's papers (as a build reads them).

    python bench/run.py --sizes 10000 --corpus-only /tmp/rel-corpus-10k
    PYTHONPATH=. python bench/time_related.py /tmp/rel-corpus-10k/content 3

Prints the median wall time of RUNS calls of stages.related.relate_papers (no cache), and
how many links it made and how many papers got none. On a shared machine, alternate the
versions compared (PYTHONPATH pointing at each): the load changes the numbers a lot.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from generator.config import load_config
from generator.pipeline import read_papers
from generator.stages.related import relate_papers


def main(content: Path, runs: int) -> None:
    papers = read_papers(load_config(content)).papers
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        related, _ = relate_papers(papers)
        times.append(time.perf_counter() - start)
    shown = [len(ids) for ids in related.values()]
    print(f"{len(papers)} papers: related stage {statistics.median(times):.2f} s, median of "
          f"{runs} ({', '.join(f'{t:.2f}' for t in times)}); links {sum(shown)}, "
          f"papers with none {shown.count(0)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
