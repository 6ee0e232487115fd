"""The GitHub Actions workflows, ours and the ones `digest init` writes, read as GitHub reads them.

actionlint cannot install here (it downloads its binary), so these check what an owner relies
on: the weekly fetch runs, may push, fetches before it builds and commits content/; pages.yml
publishes on push and leaves the weekly run to fetch.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO

ROOT_WORKFLOWS = REPO / ".github" / "workflows"
SCAFFOLD_WORKFLOWS = REPO / "generator" / "tools" / "scaffold" / ".github" / "workflows"
ALL = sorted([*ROOT_WORKFLOWS.glob("*.yml"), *SCAFFOLD_WORKFLOWS.glob("*.yml")])
FETCH = [ROOT_WORKFLOWS / "fetch.yml", SCAFFOLD_WORKFLOWS / "fetch.yml"]
PAGES = [ROOT_WORKFLOWS / "pages.yml", SCAFFOLD_WORKFLOWS / "pages.yml"]


def load(workflow: Path) -> dict[Any, Any]:
    doc = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def triggers(doc: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` mapping; YAML 1.1 reads a bare `on` key as true."""
    on = doc.get("on", doc.get(True))
    assert isinstance(on, dict)
    return on


def runs(doc: dict[Any, Any], job: str = "build") -> list[str]:
    """The shell commands of a job's steps, in order."""
    return [s["run"] for s in doc["jobs"][job]["steps"] if "run" in s]


def index_of(commands: list[str], needle: str) -> int:
    return next(i for i, c in enumerate(commands) if needle in c)


def test_both_workflow_sets_are_there() -> None:
    assert {p.name for p in ROOT_WORKFLOWS.glob("*.yml")} >= {"pages.yml", "fetch.yml"}
    assert {p.name for p in SCAFFOLD_WORKFLOWS.glob("*.yml")} == {"pages.yml", "fetch.yml"}


@pytest.mark.parametrize("workflow", ALL, ids=lambda p: str(p.relative_to(REPO)))
def test_every_workflow_parses_and_has_jobs_with_steps(workflow: Path) -> None:
    doc = load(workflow)
    assert doc["name"] and triggers(doc)
    for job in doc["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest" and job["steps"]


@pytest.mark.parametrize("workflow", FETCH, ids=lambda p: str(p.relative_to(REPO)))
def test_fetch_runs_weekly_fetches_commits_then_builds_and_deploys(workflow: Path) -> None:
    doc = load(workflow)
    on = triggers(doc)
    assert "workflow_dispatch" in on
    [schedule] = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "1")  # every Monday
    assert minute.isdigit() and hour.isdigit()
    assert doc["permissions"] == {"contents": "write", "pages": "write", "id-token": "write"}
    assert doc["concurrency"]["group"] == "pages"
    commands = runs(doc)
    fetch, enrich = index_of(commands, "digest fetch"), index_of(commands, "digest enrich")
    commit, push = index_of(commands, "git commit"), index_of(commands, "git push")
    build, check = index_of(commands, "digest build"), index_of(commands, "digest check site")
    assert fetch < enrich < commit <= push < build < check
    # A `|| true` or continue-on-error would publish an empty week as if all were well.
    assert commands[fetch].strip() == "digest fetch"
    fetch_step = next(s for s in doc["jobs"]["build"]["steps"] if s.get("run") == "digest fetch")
    assert not fetch_step.get("continue-on-error")
    committing = commands[commit]
    assert "git status --porcelain content" in committing and "git add content" in committing
    assert 'user.name "digest-bot"' in committing
    assert "41898282+github-actions[bot]@users.noreply.github.com" in committing
    pages_id = next(s["id"] for s in doc["jobs"]["build"]["steps"]
                    if "configure-pages" in s.get("uses", ""))
    assert f'--base-url "${{{{ steps.{pages_id}.outputs.base_url }}}}"' in commands[build]
    upload = next(s for s in doc["jobs"]["build"]["steps"]
                  if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    deploy = doc["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    # A failed lookup does not cost the week: the fetched papers are still committed.
    enrich = next(s for s in doc["jobs"]["build"]["steps"] if s.get("run") == "digest enrich")
    assert enrich.get("continue-on-error") is True
    assert doc["jobs"]["build"]["timeout-minutes"] <= 120


@pytest.mark.parametrize("workflow", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_pages_publishes_on_push_and_by_hand_with_no_schedule(workflow: Path) -> None:
    doc = load(workflow)
    on = triggers(doc)
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    assert doc["permissions"]["contents"] == "read"


def test_scaffold_workflows_install_from_requirements_and_ours_from_the_checkout() -> None:
    for workflow in SCAFFOLD_WORKFLOWS.glob("*.yml"):
        assert "pip install -r requirements.txt" in runs(load(workflow)), workflow
    for workflow in PAGES[:1] + FETCH[:1]:
        assert "pip install ." in runs(load(workflow)), workflow
