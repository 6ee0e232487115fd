"""Which papers the models are fitted on: the oldest ones, in steps of a quarter.

Fitted on the whole corpus, the models (themes, related papers) would change with every new
week: the vocabulary, the classifiers and so every older paper's probability, explanation,
sub-topic and neighbours, which means every page of a large archive rewritten for 200 new
papers. Instead each model is fitted on the oldest papers (by first seen, then id) and
scores the newer ones, and the number it is fitted on moves up a step only when the corpus
has grown past the next step, a quarter more. So a week's new papers leave every older
paper's themes as they were until then (and its neighbours, unless a new paper is closer),
and the models always saw at least four fifths of the corpus. Small corpora, where a fit is
cheap and a week's papers are a large share, are always fitted whole.

The split is a pure function of the papers, so a build from scratch and one that reuses the
cached fit give the same site.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.models import Paper

FIT_ALL_UP_TO = 5_000  # corpora up to this size are always fitted whole
STEP = 4  # each step is the previous one plus a STEP-th: 5,000, 6,250, 7,812, 9,765, ...


def training_size(n: int) -> int:
    """How many of n papers the model is fitted on: n up to FIT_ALL_UP_TO, else the largest
    step not above n."""
    if n <= FIT_ALL_UP_TO:
        return n
    size = FIT_ALL_UP_TO
    while size + size // STEP <= n:
        size += size // STEP
    return size


def split_training(papers: Sequence[Paper]) -> tuple[tuple[Paper, ...], tuple[Paper, ...]]:
    """(the papers the model is fitted on, the papers it scores): the oldest
    training_size(len(papers)) by first seen (then id), and the rest."""
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    size = training_size(len(ordered))
    return tuple(ordered[:size]), tuple(ordered[size:])
