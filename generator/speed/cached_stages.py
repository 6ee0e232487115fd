"""The model stages as a build runs them: each result stored by a key of exactly its inputs
(store.py), so a cached build gives the site a cold one gives, and the slow ones started in
worker processes (workers.py) while this process goes on with the next stage.

The stages themselves (stages/themes, stages/related.py, stages/map_layout.py) know nothing
of this: they are plain functions of the papers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from generator.config import Config
from generator.models import Paper, paper_keys
from generator.speed.store import behind_little, cached, cached_each, inputs_key, store, stored, themes_key
from generator.speed.workers import Beside, one_thread
from generator.stages.training import split_training

if TYPE_CHECKING:
    from generator.stages.interests.library import Library
    from generator.stages.interests.ranking import Ranking
    from generator.stages.related import Neighbourhood
    from generator.stages.themes import ThemeResult

# The model stages import scikit-learn and SciPy (about a second of a small build), so they
# are imported where used: a skipped build never imports them, and the search indexer, which
# needs neither, starts on another core first.


class Training(NamedTuple):
    """The papers the models are fitted on and the papers they score (training.py), the
    training papers' key (store.inputs_key) and every paper's models.paper_key: all model
    stages need them, so they are made once, before the workers fork."""

    trained: tuple[Paper, ...]
    rest: tuple[Paper, ...]
    key: str
    keys: dict[str, bytes]


def training_of(papers: tuple[Paper, ...], keys: dict[str, bytes] | None = None) -> Training:
    """The Training of these papers; `keys`: their paper_keys, if made."""
    keys = keys if keys is not None else paper_keys(papers)
    trained, rest = split_training(papers)
    return Training(trained, rest, inputs_key(trained, keys=keys), keys)


def theme_stage(config: Config, papers: tuple[Paper, ...], cache_dir: Path | None,
                training: Training | None = None) -> ThemeResult:
    """The themes of every paper: the model's fit on its training papers (they change only
    when the corpus has grown by a quarter) and its score of each other paper, both stored,
    so a new week scores its new papers only; then the two combined. Runs here, with one
    native thread (the workers beside it have the other cores), and hands the fit's
    independent parts to worker processes: 10k cold, without them, took 1.13x as long
    (three alternating pairs, 0.99 to 1.33x; CPU time 1.01x) and the default digest missed
    its 3 s goal (3.74 s)."""
    from generator.stages.themes import ThemeFit, combine, fit_themes, score_papers, theme_settings

    settings, specs = theme_settings(config), config.themes
    trained, rest, key, keys = training or training_of(papers)
    fit_key = themes_key(key, specs, settings)
    with one_thread():
        fit = cached(cache_dir, "theme-fit", fit_key,
                     lambda: fit_themes(trained, specs, settings, Beside), ThemeFit)
        scores = cached_each(cache_dir, "theme-scores", fit_key, rest,
                             lambda missing: score_papers(fit, missing, specs, settings), keys)
        return combine(fit, scores, specs, settings)


def interests_stage(config: Config, papers: tuple[Paper, ...], library: Library,
                    cache_dir: Path | None, training: Training | None = None
                    ) -> Beside[Ranking]:
    """The For you ranking, in a worker process at low priority: only the For you pages need
    it, and they are rendered after the week pages. The model's fit on the training papers
    and the library is stored by a key of both (and of the digest papers the library's
    entries are), so a new week with an unchanged library only scores its new papers."""
    from generator.stages.interests.library import match_papers
    from generator.stages.interests.ranking import RankingFit, fit_ranking, rank

    interests = config.interests
    assert interests is not None

    def run() -> Ranking:
        trained, _, key, keys = training or training_of(papers)
        matched = [keys[m] for m in match_papers(library.entries + library.negatives, papers)
                   if m]
        fit_key = inputs_key((), key, library.entries, library.negatives, matched,
                             config.random_state, interests.cut_off)
        fit = cached(cache_dir, "for-you-fit", fit_key,
                     lambda: fit_ranking(trained, library, config.random_state,
                                         interests.cut_off, matched_in=papers), RankingFit)
        return rank(papers, library, interests.cut_off, config.random_state, fit=fit)

    return Beside(run, background=True)


def related_stage(papers: tuple[Paper, ...], cache_dir: Path | None,
                  training: Training | None = None) -> Beside[dict[str, tuple[str, ...]]]:
    """Each paper's related papers, in a worker process, stored by a key of exactly their
    inputs; the search's state (stages.related.Neighbourhood) is stored by the training
    papers' key, so a new week computes only the pairs of its papers. What the next build
    extends (about 100 MB at 100,000 papers) is stored after the result is sent."""
    from generator.stages.related import Neighbourhood, relate_papers

    later: list[Callable[[], None]] = []

    def run() -> dict[str, tuple[str, ...]]:
        made = training or training_of(papers)
        key = inputs_key(papers, made.key, keys=made.keys)
        found = stored(cache_dir, "related", key, dict)
        if found is not None:
            return found  # type: ignore[no-any-return]
        previous = stored(cache_dir, "neighbours", made.key, Neighbourhood)
        related, kept = relate_papers(papers, previous=previous, keys=made.keys)
        if not _behind_little(previous, kept):
            later.append(lambda: store(cache_dir, "neighbours", made.key, kept))
        later.append(lambda: store(cache_dir, "related", key, related))
        return related

    def store_later() -> None:
        for work in later:
            work()

    return Beside(run, then=store_later)


def _behind_little(previous: Neighbourhood | None, kept: Neighbourhood) -> bool:
    """Whether `previous` holds every row of `kept` but a few new ones (store.STALE): then it
    is not stored again (storing takes a worker about a second at 100,000 papers)."""
    if (previous is None or previous.vectorizer is not kept.vectorizer
            or (previous.candidates is None) != (kept.candidates is None)):
        return False  # (a corpus grown past EXACT_LIMIT has candidates to keep)
    return (behind_little(len(kept.keys) - len(previous.keys), len(previous.keys))
            and set(previous.keys) <= set(kept.keys))


def map_stage(config: Config, papers: tuple[Paper, ...], cache_dir: Path | None
              ) -> Beside[dict[str, tuple[float, float]]]:
    """The map's positions, stored likewise, in another worker: only map.html needs them,
    and it is rendered last, so the layout runs while the other pages render."""
    from generator.stages.map_layout import map_papers, mapped

    def run() -> dict[str, tuple[float, float]]:
        shown = mapped(papers)  # the newest papers: all the layout reads
        dates = [(p.id, p.first_seen.isoformat()) for p in shown]
        key = inputs_key(shown, config.random_state, dates)
        return cached(cache_dir, "map", key, lambda: map_papers(papers, config.random_state),
                      dict)

    return Beside(run)
