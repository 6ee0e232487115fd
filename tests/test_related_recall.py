"""bench/related_recall.py: a built site's related papers against the exact search. Within
EXACT_LIMIT the build is exact, so the default digest's pages must agree with it entirely;
a link taken out of a page must be counted as missed; the brute force orders as exact.py."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import scipy.sparse as sp

from generator.pipeline import BuildReport
from generator.stages.related import tfidf_matrix, top_k_similar

from .conftest import CONTENT, REPO

SAMPLE = 200


@pytest.fixture(scope="module")
def recall() -> ModuleType:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import related_recall
    finally:
        sys.path.remove(str(REPO / "bench"))
    return related_recall


def test_an_exact_build_has_full_recall(recall: ModuleType,
                                        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    got = recall.measure(site, CONTENT, sample=SAMPLE, seed=0)
    assert got["papers"] == report.papers and got["sample"] == SAMPLE
    assert got["exact_links"] > SAMPLE  # most papers of the sample have related papers
    assert got["shown_links"] == got["shared_links"] == got["exact_links"]
    assert got["recall"] == 1.0 and got["equal"] == 1.0
    again = recall.measure(site, CONTENT, sample=SAMPLE, seed=0)
    assert {**again, "seconds": 0} == {**got, "seconds": 0}  # the same sample every time


def test_a_link_missing_from_a_page_is_counted(recall: ModuleType, tmp_path: Path,
                                               built_default: tuple[Path, BuildReport]) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_default[0] / "papers", site / "papers")  # all measure reads
    every = built_default[1].papers  # a sample of every paper
    assert recall.measure(site, CONTENT, sample=every)["recall"] == 1.0
    # The first link of the first page that shows two or more.
    for page in sorted((site / "papers").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        listed = re.search(r'<ol class="related">(.*?)</ol>', html, re.S)
        if listed and listed.group(1).count("<li>") >= 2:
            cut = re.sub(r"<li>.*?</li>", "", listed.group(1), count=1, flags=re.S)
            page.write_text(html.replace(listed.group(1), cut), encoding="utf-8")
            got = recall.measure(site, CONTENT, sample=every)
            assert got["shown_links"] == got["shared_links"] == got["exact_links"] - 1
            assert got["equal_papers"] == got["sample"] - 1 and got["recall"] < 1.0
            return
    pytest.fail("no page lists two related papers")


def test_the_brute_force_is_the_exact_search(recall: ModuleType) -> None:
    texts = ["alpha beta", "alpha beta", "alpha beta gamma", "alpha beta", "gamma delta",
             "delta epsilon zeta", "zeta eta", "eta theta alpha"]
    x = tfidf_matrix(texts)
    every = np.arange(len(texts))
    for floor in (0.0, 0.3):
        assert recall.exact_top(x, every, 2, floor) == top_k_similar(x, 2, floor=floor)
    assert recall.exact_top(sp.csr_matrix((3, 0), dtype=np.float32), np.arange(3), 5, 0.0) \
        == [(), (), ()]
