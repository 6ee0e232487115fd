"""`digest fetch` and `digest enrich` against a local replay of arXiv and Hugging Face.

Nothing here reaches a host but 127.0.0.1: each test starts tests/replay.py's server and
points the digest at it through digest.yaml's `fetch: urls:`, as a user would point it at a
mirror. What is asserted is what a user sees: the dumps written, the manifest, enrich.yaml,
the built pages' links, the messages and the exit codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.tools.init import init_project

from .replay import Catalogue, Fault, Paper, replay

TODAY = "2026-12-04"
D = dt.date


def byline(page: str) -> str:
    """A paper page's author line as a reader sees it (tags dropped)."""
    found = re.search(r'<p class="meta authors">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def paper(n: int, title: str, abstract: str, published: dt.date,
          authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")) -> Paper:
    return Paper(arxiv_id=f"2612.{n:05d}", title=title, abstract=abstract, authors=authors,
                 published=published, categories=("cs.LG", "cs.AI"))


# Papers submitted inside the window (after the example dump's 2025-04-24), each matching a
# search of the scaffold's fetch: section; and the example dump's own titles, known to arXiv.
NEW = [
    paper(1, "Skill Discovery from Play with Contrastive Objectives",
          "We study skill discovery from unlabelled play data, learning reusable skills that a "
          "high-level policy composes for long-horizon household tasks.", D(2026, 12, 3)),
    paper(2, "Representation Learning for Tactile Sensing",
          "Self-supervised representation learning from tactile streams gives features that "
          "transfer across grasping tasks and sensors.", D(2026, 12, 2)),
    paper(3, "World Model Pretraining at Scale",
          "We pretrain a world model on diverse video and fine-tune it for model-based control; "
          "the world model plans in latent space.", D(2026, 12, 1)),
    paper(4, "Skill Discovery without Rewards in Open-Ended Worlds",
          "An agent performs skill discovery without extrinsic rewards, and we evaluate the "
          "skills it finds on downstream navigation.", D(2026, 11, 30)),
    paper(5, "Old Skill Discovery Paper",
          "A skill discovery paper submitted long before the window opens; never fetched.",
          D(2024, 1, 5)),
]
EXAMPLE = [
    paper(11, "Composable Skill Libraries for Household Robots",
          "We study how a robot can reuse skills it has learned.", D(2025, 2, 1),
          authors=("Grace Hopper", "Edsger Dijkstra")),
    paper(12, "Contrastive Pretraining of Visual Representations from Egocentric Video",
          "Self-supervised representation learning from video.", D(2025, 1, 9),
          authors=("Barbara Liskov",)),
    paper(13, "A Benchmark for Multilingual Sentence Embeddings in Retrieval",
          "Sentence embeddings power semantic search.", D(2025, 3, 2),
          authors=("Donald Knuth", "Frances Allen")),
]
FEED = [
    paper(21, "Latent Skill Embeddings for Robot Manipulation",
          "We learn skill embeddings that let a robot compose manipulation skills.",
          D(2026, 12, 3)),
    paper(22, "A Survey of Tax Law Compliance Tools",
          "We survey software for tax compliance in small firms.", D(2026, 12, 3)),
    paper(23, "Sentence Embeddings for Legal Retrieval",
          "We train sentence embeddings for retrieving court decisions.", D(2026, 12, 3)),
]


def catalogue() -> Catalogue:
    papers = NEW + EXAMPLE + FEED
    return Catalogue(papers=papers, feeds={"cs.LG": FEED},
                     hf_known={p.arxiv_id for p in papers},
                     daily={"2026-12-03": [FEED[0]]})


def project(tmp_path: Path, server_urls: dict[str, str], **settings: object) -> Path:
    """An init'd project whose fetch: section asks the replay server."""
    root = tmp_path / "digest"
    init_project(root, package_spec="litdigest")
    digest_yaml = root / "content" / "digest.yaml"
    config = yaml.safe_load(digest_yaml.read_text(encoding="utf-8"))
    fetch = {"arxiv": ['abs:"skill discovery" OR abs:"world model"'],
             "arxiv_feeds": ["cs.LG"], "huggingface_search": ["representation learning"],
             "pause_seconds": 0, "timeout_seconds": 2, "retries": 1, "max_wait_seconds": 5,
             "urls": server_urls, **settings}
    config["fetch"] = fetch
    digest_yaml.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder and a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [args[0], "--content", str(root / "content"), *args[1:]])
    return result.exit_code, result.output


def digest_cmd(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a real process, run in the project folder as a user would."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, text=True,
                          capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})


def manifest(root: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load((root / "content" / "sources.yaml").read_text())["sources"])


def test_fetch_enrich_build_turns_an_init_project_into_a_linked_new_week(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls())
        fetched = digest_cmd(root, "fetch", "--date", TODAY)
        assert fetched.returncode == 0, fetched.stderr
        assert "new papers in" in fetched.stdout
        enriched = digest_cmd(root, "enrich", "--date", TODAY)
        assert enriched.returncode == 0, enriched.stderr
        built = digest_cmd(root, "build")
        assert built.returncode == 0, built.stderr
        agents = {ua for _, _, ua in server.log}
    assert agents and all(ua.startswith("digest/") for ua in agents)

    # The dumps are the services' answers, recorded as ingest records them.
    entries = manifest(root)[1:]
    assert {e["format"] for e in entries} == {"arxiv-api", "arxiv-listing", "hf-api"}
    assert all(e["collected"] == D(2026, 12, 4) for e in entries)
    for entry in entries:
        assert (root / "content" / "sources" / str(entry["file"])).is_file()
    assert "2026-W49" in built.stdout

    # Every fetched paper and every example title arXiv knows links to arXiv, PDF and HF.
    site = root / "site"
    for known in [*NEW[:4], *EXAMPLE, FEED[0], FEED[2]]:
        page = _paper_page(site, known.title)
        assert f'href="https://arxiv.org/abs/{known.arxiv_id}"' in page, known.title
        assert f'href="https://arxiv.org/pdf/{known.arxiv_id}"' in page
        assert f'href="https://huggingface.co/papers/{known.arxiv_id}"' in page
        assert f"By {', '.join(known.authors)}" in byline(page)
    # The example title no service knows gets title searches on both.
    unknown = _paper_page(site, "Planning with a Learned World Model for Sample-Efficient Control")
    assert "https://arxiv.org/search/?query=Planning+with+a+Learned+World+Model" in unknown
    assert "https://huggingface.co/papers?q=Planning+with+a+Learned+World+Model" in unknown
    # Nothing outside the window, and nothing the feed filter dropped, was stored.
    assert _paper_files(site, NEW[4].title) == [] and _paper_files(site, FEED[1].title) == []

    enrich = yaml.safe_load((root / "content" / "enrich.yaml").read_text(encoding="utf-8"))
    by_title = {e["title"]: e for e in enrich["papers"]}
    assert by_title[EXAMPLE[0].title]["arxiv_id"] == EXAMPLE[0].arxiv_id
    assert by_title[EXAMPLE[0].title]["categories"] == ["cs.LG", "cs.AI"]
    assert by_title[EXAMPLE[0].title]["found_by"] == "arXiv API title search, 2026-12-04"
    missing = by_title["Planning with a Learned World Model for Sample-Efficient Control"]
    assert missing["not_found"] == D(2026, 12, 4) and "arxiv_id" not in missing


def _paper_files(site: Path, title: str) -> list[Path]:
    return [p for p in (site / "papers").glob("*.html")
            if f"<h1>{title}</h1>" in p.read_text(encoding="utf-8")]


def _paper_page(site: Path, title: str) -> str:
    found = _paper_files(site, title)
    assert len(found) == 1, title
    return found[0].read_text(encoding="utf-8")


def test_arxiv_search_pages_newest_first_within_the_window_up_to_the_cap(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       page_size=2, max_results=3)
        code, out = run(root, "fetch", "--date", TODAY)
        asked = [parse_qs(urlsplit(u).query) for u in server.asked("/api/query")]
    assert code == 0, out
    assert [(q["start"][0], q["max_results"][0]) for q in asked] == [("0", "2"), ("2", "1")]
    assert all("submittedDate:[202504240000 TO 202612042359]" in q["search_query"][0]
               for q in asked)
    files = sorted(str(e["file"]) for e in manifest(root)[1:])
    assert files == ["2026-12-04-arxiv-abs-skill-discovery-or-abs-world-model-p1.xml",
                     "2026-12-04-arxiv-abs-skill-discovery-or-abs-world-model-p2.xml"]
    first = (root / "content" / "sources" / files[0]).read_text(encoding="utf-8")
    assert first.index(NEW[0].title) < first.index(NEW[2].title)  # newest first, as asked
    assert "3 new papers in 2 dumps" in out


def test_a_feed_keeps_the_items_matching_a_theme(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv=[], huggingface_search=[])
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 0, out
    [entry] = manifest(root)[1:]
    assert entry["format"] == "arxiv-listing" and "2 of its 3 items" in str(entry["origin"])
    dump = (root / "content" / "sources" / str(entry["file"])).read_text(encoding="utf-8")
    assert FEED[0].title in dump and FEED[2].title in dump and FEED[1].title not in dump


def test_daily_papers_are_read_for_the_window_s_last_week(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv=[], arxiv_feeds=[], huggingface_search=[],
                       huggingface_daily=True)
        code, out = run(root, "fetch", "--date", TODAY)
        days = [parse_qs(urlsplit(u).query)["date"][0] for u in server.asked("/api/daily_papers")]
    assert code == 0, out
    assert days == [f"2026-11-{d}" for d in range(28, 31)] + [f"2026-12-0{d}" for d in range(1, 5)]
    assert [e["file"] for e in manifest(root)[1:]] == ["2026-12-04-hf-daily-2026-12-03.json"]


def test_an_interrupted_fetch_changes_nothing_and_resumes_from_its_cache(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), page_size=2, max_results=4)
        before = snapshot(root / "content")
        # The second page fails twice (a try and its one retry): the run stops there.
        server.fail("/api/query", Fault(), Fault(status=500), Fault(status=500))
        code, out = run(root, "fetch", "--date", TODAY)
        assert code == 1
        assert "arXiv API search 'abs:\"skill discovery\" OR abs:\"world model\"'" in out
        assert "HTTP 500" in out and "nothing in content/ was changed" in out
        assert snapshot(root / "content") == before
        first_run = len(server.log)
        code, out = run(root, "fetch", "--date", TODAY)
        again = [parse_qs(urlsplit(u).query)["start"][0]
                 for _, u, _ in server.log[first_run:] if u.startswith("/api/query")]
    assert code == 0, out
    assert again == ["2"]  # page 1 came from the cache; only the failed page was asked again
    assert snapshot(root / "content") != before


def test_a_killed_fetch_leaves_content_untouched_and_resumes(tmp_path: Path) -> None:
    """kill -9 in the middle of a run (here while the second page is on its way): content/
    is as it was, and the next run asks only for what the killed one had not received."""
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), page_size=2, max_results=4,
                       timeout_seconds=60)
        before = snapshot(root / "content")
        server.fail("/api/query", Fault(), Fault(delay=30))  # the second page hangs
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "fetch", "--date", TODAY], cwd=root,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while len(server.asked("/api/query")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        assert snapshot(root / "content") == before
        killed_run = len(server.log)
        resumed = digest_cmd(root, "fetch", "--date", TODAY)
        again = [parse_qs(urlsplit(u).query)["start"][0]
                 for _, u, _ in server.log[killed_run:] if u.startswith("/api/query")]
    assert resumed.returncode == 0, resumed.stderr
    assert again == ["2"]
    assert len(manifest(root)) > 1


def test_a_503_is_retried_after_its_retry_after(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[])
        server.fail("/api/query", Fault(status=503, headers={"Retry-After": "1"}))
        code, out = run(root, "fetch", "--date", TODAY)
        times = [t for t, u, _ in server.log if u.startswith("/api/query")]
    assert code == 0, out
    assert len(times) == 2 and times[1] - times[0] >= 0.95


def test_a_long_retry_after_is_cut_to_max_wait(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       max_wait_seconds=1)
        server.fail("/api/query", Fault(status=429, headers={"Retry-After": "3600"}))
        code, out = run(root, "fetch", "--date", TODAY)
        times = [t for t, u, _ in server.log if u.startswith("/api/query")]
    assert code == 0, out
    assert len(times) == 2 and 0.95 <= times[1] - times[0] < 3


def test_a_retry_without_retry_after_waits_the_pause(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       pause_seconds=0.5)
        server.fail("/api/query", Fault(status=503))
        code, out = run(root, "fetch", "--date", TODAY)
        times = [t for t, u, _ in server.log if u.startswith("/api/query")]
    assert code == 0, out
    assert len(times) == 2 and times[1] - times[0] >= 0.45


def test_requests_to_one_host_are_paused(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       page_size=1, max_results=3, pause_seconds=0.4)
        code, out = run(root, "fetch", "--date", TODAY)
        times = [t for t, _, _ in server.log]
    assert code == 0, out
    assert len(times) == 3
    assert all(b - a >= 0.38 for a, b in zip(times, times[1:], strict=False))


@pytest.mark.parametrize("fault, message", [
    (Fault(delay=3.0), "no answer in time (timed out)"),
    (Fault(body=b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"),
     "invalid XML"),
    (Fault(status=404, body=b"not here"), "HTTP 404"),
    (Fault(body=(Path(__file__).parent / "fixtures" / "formats" / "billion_laughs.xml").read_bytes()),
     "refused: the XML declares an entity"),
])
def test_a_failed_fetch_leaves_content_byte_identical(tmp_path: Path, fault: Fault,
                                                      message: str) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), timeout_seconds=0.5, retries=0)
        before = snapshot(root / "content")
        server.fail("/api/query", fault)
        started = time.monotonic()
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 1, out
    assert message in out and "Traceback" not in out
    assert snapshot(root / "content") == before
    assert time.monotonic() - started < 10


def test_a_fetch_with_nothing_new_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    quiet = Catalogue(papers=[], feeds={"cs.LG": []})
    with replay(quiet) as server:
        root = project(tmp_path, server.urls())
        before = snapshot(root / "content")
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 3
    assert "No new papers from 3 searches and feeds" in out
    assert snapshot(root / "content") == before


def test_fetching_the_same_papers_again_adds_nothing(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls())
        assert run(root, "fetch", "--date", TODAY)[0] == 0
        after_first = snapshot(root / "content")
        code, out = run(root, "fetch", "--date", "2026-12-05", "--since", TODAY)
    assert code == 3, out
    assert "all already known" in out
    assert snapshot(root / "content") == after_first


def test_dry_run_says_what_it_would_ask_and_store_and_writes_nothing(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls())
        before = snapshot(root / "content")
        code, out = run(root, "fetch", "--date", TODAY, "--dry-run")
    assert code == 0, out
    assert "Window: 2025-04-24 to 2026-12-04." in out
    assert f"arXiv listing feed cs.LG: {server.url}/rss/cs.LG" in out
    assert re.search(r"Would add 2026-12-04-arxiv-feed-cs-lg\.xml \(2 papers, 2 new", out)
    assert "would be collected" in out
    assert snapshot(root / "content") == before


def test_fetch_settings_are_validated_with_the_rest_of_the_config(tmp_path: Path) -> None:
    root = project(tmp_path, {"arxiv_api": "ftp://mirror", "huggingface": "https://hf.test"},
                   arxiv_feeds=["cs LG"], keep="some", pause_seconds=-1, colour="red")
    code, out = run(root, "fetch")
    assert code == 1
    for problem in ("fetch.urls.arxiv_api: expected an http(s) URL, got 'ftp://mirror'",
                    "fetch.arxiv_feeds: 'cs LG' is not an arXiv category",
                    "fetch.keep: expected themes or all, got 'some'",
                    "fetch.pause_seconds: expected a number of seconds >= 0, got -1",
                    "fetch: unknown key 'colour'"):
        assert problem in out, problem


def test_enrich_records_only_unambiguous_title_matches(tmp_path: Path) -> None:
    twin = Paper(arxiv_id="2612.09999", title=EXAMPLE[2].title.upper(), abstract="A namesake.",
                 authors=("Someone Else",), published=D(2026, 1, 1))
    cat = Catalogue(papers=[*EXAMPLE, twin])
    with replay(cat) as server:
        root = project(tmp_path, server.urls())
        code, out = run(root, "enrich", "--date", TODAY)
    assert code == 0, out
    entries = {e["title"]: e for e in yaml.safe_load(
        (root / "content" / "enrich.yaml").read_text(encoding="utf-8"))["papers"]}
    assert entries[EXAMPLE[0].title]["arxiv_id"] == EXAMPLE[0].arxiv_id
    ambiguous = entries[EXAMPLE[2].title]
    assert "arxiv_id" not in ambiguous and "ambiguous: 2 arXiv papers" in ambiguous["found_by"]
    assert "Looked up 4 titles" in out
    # A second run asks nothing: every title has an entry now.
    code, out = run(root, "enrich", "--date", TODAY)
    assert code == 0 and "nothing to look up" in out


def test_enrich_falls_back_to_hugging_face(tmp_path: Path) -> None:
    cat = Catalogue(papers=list(EXAMPLE), hf_known={EXAMPLE[2].arxiv_id},
                    arxiv_title_search=False)
    with replay(cat) as server:
        root = project(tmp_path, server.urls())
        code, out = run(root, "enrich", "--date", TODAY, "--limit", "2")
    assert code == 0, out
    assert "2 more wait for the next run" in out
    entries = yaml.safe_load((root / "content" / "enrich.yaml").read_text())["papers"]
    found = [e for e in entries if e.get("arxiv_id")]
    assert [e["found_by"] for e in found] == ["Hugging Face Papers search, 2026-12-04"]
    assert found[0]["authors"] == list(EXAMPLE[2].authors)
    assert found[0]["title"] == EXAMPLE[2].title  # looked up in title order: A, C, then next run


def test_a_bad_enrich_file_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "digest"
    init_project(root, package_spec="litdigest")
    (root / "content" / "enrich.yaml").write_text(
        "papers:\n  - title: Composable Skill Libraries for Household Robots\n"
        "    arxiv_id: '2501.00001'\n  - title: A Benchmark\n    arxiv_id: 2501.10000\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--content", str(root / "content"),
                                      "--out", str(root / "site")])
    assert result.exit_code == 1
    assert "enrich.yaml:4: papers[1].arxiv_id: write the id in quotes" in result.output
    assert not (root / "site").exists()


def test_a_curated_enrich_entry_links_the_paper(tmp_path: Path) -> None:
    root = tmp_path / "digest"
    init_project(root, package_spec="litdigest")
    (root / "content" / "enrich.yaml").write_text(
        "papers:\n  - title: composable skill libraries for household robots\n"
        "    arxiv_id: 'cs.RO/0701001v2'\n    authors: [Grace Hopper]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--content", str(root / "content"),
                                      "--out", str(root / "site")])
    assert result.exit_code == 0, result.output
    page = _paper_page(root / "site", "Composable Skill Libraries for Household Robots")
    assert 'href="https://arxiv.org/abs/cs/0701001"' in page and "By Grace Hopper" in byline(page)


def test_a_server_that_trickles_its_answer_is_given_up_on(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), timeout_seconds=1, retries=0)
        before = snapshot(root / "content")
        server.fail("/api/query", Fault(body=b"<feed>" + b" " * 200, trickle=0.05))
        started = time.monotonic()
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 1 and "did not arrive within 1 s" in out
    assert time.monotonic() - started < 5
    assert snapshot(root / "content") == before


def test_a_service_that_is_down_is_named_as_such(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        urls = server.urls()
    root = project(tmp_path, urls, retries=0)  # the server is gone: its port refuses
    code, out = run(root, "fetch", "--date", TODAY)
    assert code == 1 and "cannot connect to the service" in out


def test_an_empty_page_before_the_last_is_an_error_asked_again_next_run(tmp_path: Path) -> None:
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
             b'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
             b'3</opensearch:totalResults></feed>')
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       page_size=2)
        server.fail("/api/query", Fault(), Fault(body=empty))
        code, out = run(root, "fetch", "--date", TODAY)
        assert code == 1 and "an empty page at result 3 of 3" in out
        code, out = run(root, "fetch", "--date", TODAY)
        starts = [parse_qs(urlsplit(u).query)["start"][0] for u in server.asked("/api/query")]
    assert code == 0, out
    assert starts == ["0", "2", "2"]  # the empty page was not cached


def test_a_search_cut_by_max_results_says_what_it_left_out(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[],
                       max_results=2)
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 0, out
    assert "warning: arXiv API search" in out and "3 results in the window, the newest 2 stored" \
        in out


def test_a_dump_left_in_sources_by_a_killed_run_does_not_hide_an_answer(tmp_path: Path) -> None:
    with replay(catalogue()) as server:
        root = project(tmp_path, server.urls(), arxiv_feeds=[], huggingface_search=[])
        code, _ = run(root, "fetch", "--date", TODAY, "--dry-run")
        answer = next((tmp_path / "digest" / ".digest-cache" / "fetch" / TODAY).iterdir())
        # The same bytes, in sources/ but in no manifest entry (as a kill between the two
        # writes would leave them).
        (root / "content" / "sources" / "stray.xml").write_bytes(answer.read_bytes())
        code, out = run(root, "fetch", "--date", TODAY)
    assert code == 0, out
    files = [e["file"] for e in manifest(root)]
    assert any(str(f).startswith("2026-12-04-arxiv-") for f in files)


@pytest.mark.parametrize("layout", [
    "papers:\n- title: Composable Skill Libraries for Household Robots\n  arxiv_id: '2501.00001'\n",
    "# my notes\npapers: [{title: Composable Skill Libraries for Household Robots, "
    "arxiv_id: '2501.00001'}]\n",
    "papers: []\n",
    "papers:\n    - title: Composable Skill Libraries for Household Robots\n"
    "      arxiv_id: '2501.00001'\n# a comment at the end\n",
])
def test_enrich_appends_to_any_layout_a_curator_wrote(tmp_path: Path, layout: str) -> None:
    with replay(Catalogue(papers=list(EXAMPLE))) as server:
        root = project(tmp_path, server.urls())
        enrich_file = root / "content" / "enrich.yaml"
        enrich_file.write_text(layout, encoding="utf-8")
        kept = yaml.safe_load(layout)["papers"]
        code, out = run(root, "enrich", "--date", TODAY)
    assert code == 0, out
    entries = yaml.safe_load(enrich_file.read_text(encoding="utf-8"))["papers"]
    assert entries[: len(kept)] == kept
    assert len(entries) == 4  # the curator's entry (if any) and one per other example title
    assert {e["title"] for e in entries} >= {p.title for p in EXAMPLE}


def test_the_default_digest_fetches_what_its_seed_dumps_were_searched_for() -> None:
    from generator.config import load_config

    from .conftest import REPO

    config = load_config(REPO / "content")
    seed_queries = {s.query for s in config.sources if s.file.endswith(".txt")}
    assert seed_queries <= set(config.fetch.huggingface_search)
    assert len(config.fetch.arxiv) == len(config.themes)  # a search per theme
    assert config.fetch.arxiv_feeds == ("cs.LG",) and config.fetch.keep == "themes"
    assert config.fetch.pause_seconds >= 3
