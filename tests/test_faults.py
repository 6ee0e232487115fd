"""Faults, tried for real: builds killed at many points, workers that lose their parent, a
worker killed under a build, concurrent ingests, a planted cache entry, a full disk and a
read-only output. Each test runs `digest` as its own process, as a user or a scheduler would.

The promise under test: the site a reader sees is always one build's whole output (the
previous one or the new one), no process of a killed build survives it, the next build
cleans up what a killed one left, and content and cache are never anyone else's to run.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from .conftest import CONTENT, REPO, public_papers

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

ENV = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"}


def digest(*args: str, cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          env=env or ENV, capture_output=True, text=True, timeout=timeout)


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a site (the marker and dot-folders aside) with its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".") and not path.is_symlink():
            found[rel] = path.read_bytes()
    return found


def group_members(pgid: int) -> list[int]:
    """The live processes (zombies aside) of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def wait_gone(pgid: int, seconds: float = 10) -> list[int]:
    """The group's processes still alive after waiting up to `seconds` for them to end."""
    deadline = time.monotonic() + seconds
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def leftovers(project: Path) -> list[str]:
    """What builds left beside the site that a finished build does not keep."""
    work = project / ".site.digest"
    beside = [p.name for p in project.iterdir()
              if p.name not in ("content", "site", ".site.digest", ".digest-cache")]
    inside = [p.name for p in work.iterdir() if p.name not in ("lock", "standby")]
    return beside + inside


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A project built once (the old site, its cache and standby: `pristine`), and the site
    the changed content builds (`new`): one seed dump dropped and a note added, so pages are
    added, changed and removed."""
    base = tmp_path_factory.mktemp("faults")
    pristine = base / "pristine"
    shutil.copytree(CONTENT, pristine / "content")
    done = digest("build", "--content", "content", "--out", "site", cwd=pristine)
    assert done.returncode == 0, done.stderr
    old = tree(pristine / "site")
    changed = base / "changed"
    shutil.copytree(CONTENT, changed / "content")
    change_content(changed / "content")
    done = digest("build", "--content", "content", "--out", "site", "--no-cache", cwd=changed)
    assert done.returncode == 0, done.stderr
    new = tree(changed / "site")
    assert old != new and set(old) - set(new) and set(new) - set(old)
    return {"pristine": pristine, "old": old, "new": new}


def change_content(content: Path) -> None:
    manifest = content / "sources.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    entries = data["sources"] if isinstance(data, dict) else data
    dropped = entries.pop()
    # ...and a dump of one new paper, so the new site also has a file the old one lacks.
    entries.append({"file": "added.json", "collected": dt.date(2025, 4, 10), "query": "faults",
                    "origin": "written by tests/test_faults.py"})
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (content / "sources" / dropped["file"]).unlink()
    (content / "sources" / "added.json").write_text(json.dumps([{"paper": {
        "id": "", "title": "A Paper Added While Builds Are Killed",
        "summary": "We propose a build that is killed and a site that stays whole."}}]),
        encoding="utf-8")
    (content / "notes").mkdir(exist_ok=True)
    (content / "notes" / "2025-W14.md").write_text("A note for the week.\n", encoding="utf-8")


def fresh_project(versions: dict[str, object], where: Path) -> Path:
    project = where / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(versions["pristine"], project, symlinks=True)  # type: ignore[arg-type]
    change_content(project / "content")
    return project


def build_duration(versions: dict[str, object], where: Path) -> float:
    project = fresh_project(versions, where)
    started = time.monotonic()
    done = digest("build", "--content", "content", "--out", "site", cwd=project)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


@pytest.mark.parametrize("whole_group", [True, False], ids=["process-group", "main-process"])
def test_a_killed_rebuild_leaves_the_old_site_or_the_new_never_a_mix(
        versions: dict[str, object], tmp_path: Path, whole_group: bool) -> None:
    duration = build_duration(versions, tmp_path)
    outcomes = []
    for point in range(12):  # kill points spread over the whole build, startup included
        delay = duration * (point + 0.5) / 12
        project = fresh_project(versions, tmp_path)
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content",
                                 "content", "--out", "site"], cwd=project, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        if whole_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        survivors = wait_gone(proc.pid)
        assert survivors == [], f"killed at {delay:.2f} s: processes left {survivors}"
        site = tree(project / "site")
        assert site in (versions["old"], versions["new"]), f"a mixed site at {delay:.2f} s"
        outcomes.append("new" if site == versions["new"] else "old")
        done = digest("build", "--content", "content", "--out", "site", cwd=project)
        assert done.returncode == 0, done.stderr
        assert tree(project / "site") == versions["new"]
        assert leftovers(project) == [], f"after a kill at {delay:.2f} s"
    # The kills reached into the build, not only before or after it.
    assert "old" in outcomes


def test_a_killed_first_build_leaves_no_site_or_the_whole_one(
        versions: dict[str, object], tmp_path: Path) -> None:
    for delay in (0.6, 1.2, 1.8):
        project = tmp_path / f"cold-{delay}"
        shutil.copytree(CONTENT, project / "content")
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content",
                                 "content", "--out", "site"], cwd=project, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_gone(proc.pid) == []
        site = project / "site"
        assert not site.exists() or tree(site) == versions["old"]


def test_a_worker_killed_under_a_build_fails_it_cleanly(
        versions: dict[str, object], tmp_path: Path) -> None:
    project = fresh_project(versions, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", "content",
                             "--out", "site", "--no-cache"], cwd=project, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        workers = [pid for pid in group_members(proc.pid) if pid != proc.pid]
        victim = workers[0] if workers else None
        time.sleep(0.02)
    assert victim is not None, "the build forked no worker"
    os.kill(victim, signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert wait_gone(proc.pid) == []
    site = tree(project / "site")
    if proc.returncode == 0:  # the worker had sent its result already
        assert site == versions["new"]
    else:
        assert proc.returncode == 1 and "worker process ended without a result" in err, err
        assert "Traceback" not in err
        assert site == versions["old"]


def test_ten_concurrent_ingests_are_all_recorded(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    files = []
    for n in range(10):
        path = tmp_path / f"listing-{n}.json"
        path.write_text(f'[{{"title": "Concurrent Paper Number {n}", "abstract": "An abstract '
                        f'long enough to be a real abstract of paper number {n}."}}]',
                        encoding="utf-8")
        files.append(path)
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "ingest", str(path), "--date",
                               "2025-05-01", "--content", "content"], cwd=project, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path in files]
    results = [(p.returncode, err) for p in procs for _, err in [p.communicate(timeout=120)]]
    assert [code for code, _ in results] == [0] * 10, results
    data = yaml.safe_load((project / "content" / "sources.yaml").read_text(encoding="utf-8"))
    listed = {e["file"] for e in (data["sources"] if isinstance(data, dict) else data)}
    assert {f"listing-{n}.json" for n in range(10)} <= listed
    done = digest("build", "--content", "content", "--out", "site", cwd=project)
    assert done.returncode == 0, done.stderr
    titles = {paper["title"] for paper in public_papers(project / "site")}
    assert {f"Concurrent Paper Number {n}" for n in range(10)} <= titles


class Planted:
    """Unpickling this runs code: it writes the file it names."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.sentinel}",))


def test_a_planted_cache_entry_never_runs(versions: dict[str, object], tmp_path: Path) -> None:
    project = fresh_project(versions, tmp_path)
    sentinel = tmp_path / "planted-code-ran"
    entries = sorted((project / ".digest-cache").glob("*.pickle"))
    assert entries, "the build keeps a cache in the project"
    for entry in entries:  # each entry replaced by a pickle that runs code when loaded
        entry.write_bytes(pickle.dumps(Planted(sentinel)))
    wrong_type = entries[0].with_name("related-" + "0" * 32 + ".pickle")
    wrong_type.write_bytes(pickle.dumps(["a list where a mapping is expected"]))
    done = digest("build", "--content", "content", "--out", "site", cwd=project)
    assert done.returncode == 0, done.stderr
    assert not sentinel.exists()
    assert tree(project / "site") == versions["new"]


def test_a_cache_others_may_write_is_not_used(versions: dict[str, object],
                                              tmp_path: Path) -> None:
    project = fresh_project(versions, tmp_path)
    (project / ".digest-cache").chmod(0o777)
    done = digest("build", "--content", "content", "--out", "site", cwd=project)
    assert done.returncode == 0
    assert "not using the cache" in done.stderr
    assert tree(project / "site") == versions["new"]


def test_the_cache_is_the_projects_not_the_outputs_parent(tmp_path: Path) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "shared"
    shutil.copytree(CONTENT, project / "content")
    elsewhere.mkdir()
    done = digest("build", "--content", "content", "--out", str(elsewhere / "site"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == [".site.digest", "site"]
    assert (project / ".digest-cache").is_dir()
    assert (project / ".digest-cache").stat().st_mode & 0o077 == 0


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_refused_build_writes_nothing_anywhere(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8 not ours")
    before = snapshot(tmp_path)
    done = digest("build", "--content", "content", "--out", str(foreign), cwd=project)
    assert done.returncode == 1 and "not made by digest" in done.stderr
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos", "project"]
    assert sorted(p.name for p in project.iterdir()) == ["content"]


def test_a_symlink_out_of_the_content_folder_is_refused_and_reported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=do-not-publish\n", encoding="utf-8")
    assets = project / "content" / "templates" / "assets"
    assets.mkdir(parents=True)
    (assets / "env.txt").symlink_to(secret)
    done = digest("build", "--content", "content", "--out", "site", cwd=project)
    assert done.returncode == 1
    assert "content/templates/assets/env.txt: a symbolic link to" in done.stderr
    assert "outside the content folder" in done.stderr
    assert not (project / "site").exists()
    (assets / "env.txt").unlink()
    assert digest("build", "--content", "content", "--out", "site", cwd=project).returncode == 0
    (assets / "env.txt").symlink_to(secret)
    checked = digest("check", "site", "--content", "content", cwd=project)
    assert checked.returncode == 1 and "outside the content folder" in checked.stdout
    assert "TOKEN" not in "".join(p.read_text(errors="replace")
                                  for p in (project / "site").rglob("*") if p.is_file())


@contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` (skips where the machine does not allow it)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; see the simulated-ENOSPC tests")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize(("size", "read_only", "message"),
                         [("12m", False, "No space left on device"),
                          ("40m", True, "Read-only file system")], ids=["full", "read-only"])
def test_a_full_disk_or_read_only_output_is_one_clear_error_and_the_site_stays(
        tmp_path: Path, size: str, read_only: bool, message: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    with small_disk(tmp_path / "disk", size) as disk:
        assert digest("build", "--content", "content", "--out", str(disk / "site"),
                      cwd=project).returncode == 0
        before = tree(disk / "site")
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        # A new base URL changes every page: on the 12 MB disk (the site weighs 8 MB) a second
        # copy does not fit.
        done = digest("build", "--content", "content", "--out", str(disk / "site"),
                      "--base-url", "https://example.org/other/", cwd=project)
        assert done.returncode == 1
        assert message in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.count("Error") <= 1
        assert tree(disk / "site") == before


# Where no tmpfs can be mounted, the same errors simulated at the write layer: os.open of a
# file under the output's parent fails as the system would.
SIMULATE = """
import errno, os, sys
real_open, limit = os.open, {limit!r}
def failing_open(path, flags, *args, **kwargs):
    if str(path).startswith({where!r}) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        raise OSError({code}, os.strerror({code}), str(path))
    return real_open(path, flags, *args, **kwargs)
os.open = failing_open
sys.argv = ["digest", *sys.argv[1:]]
from generator.cli import main
main()
"""


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["ENOSPC", "EROFS"])
def test_a_refused_write_is_one_clear_error_simulated(tmp_path: Path, code: int) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    out = tmp_path / "out"
    assert digest("build", "--content", "content", "--out", str(out / "site"),
                  cwd=project).returncode == 0
    before = tree(out / "site")
    script = SIMULATE.format(limit=0, where=str(out), code=code)
    done = subprocess.run([sys.executable, "-c", script, "build", "--content", "content",
                           "--out", str(out / "site"), "--base-url", "https://example.org/x/"],
                          cwd=project, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert os.strerror(code) in done.stderr and "Traceback" not in done.stderr
    assert "could not write the site" in done.stderr
    assert tree(out / "site") == before
