"""The publishing path: the deploy workflow's steps, run here as written, and the repository's own files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from .conftest import ROOT

DEPLOY = ROOT / ".github/workflows/deploy.yml"
LOCAL_STEPS = ("Build", "Check links")  # the Test step is this suite itself
SKIP_COPY = {".git", ".venv", "node_modules", "site", ".cache", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _workflow() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(DEPLOY.read_text(encoding="utf-8"))


def test_the_deploy_workflow_gates_publishing_on_tests_and_links() -> None:
    workflow = _workflow()
    build = workflow["jobs"]["build"]["steps"]
    names = [s.get("name") or s.get("uses", "").split("@")[0] for s in build]
    assert (
        names.index("Test")
        < names.index("Build")
        < names.index("Check links")
        < names.index("actions/upload-pages-artifact")
    )
    checkout = next(s for s in build if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # citations need the history
    ci_command = (ROOT / ".ci/run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert next(s["run"] for s in build if s.get("name") == "Test") in ci_command
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    # A fork deploys as is: nothing names this repository or its owner.
    text = DEPLOY.read_text(encoding="utf-8")
    assert "github.com/" not in text and "github.io/" not in text.replace("OWNER.github.io/", "")


@pytest.mark.slow
def test_deploy_steps_run_as_written(tmp_path: Path) -> None:
    """A dry run of the workflow's Build and Check links steps on a copy of the repository."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=lambda folder, names: [n for n in names if n in SKIP_COPY])
    if not (ROOT / ".venv").is_dir():
        pytest.skip("needs the .venv that python3 tasks.py creates")
    (copy / ".venv").symlink_to(ROOT / ".venv")
    env = {
        **os.environ,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "someone/peru-timeline",
        "BASE_URL": "https://someone.github.io/peru-timeline/",
    }
    for step in _workflow()["jobs"]["build"]["steps"]:
        if step.get("name") not in LOCAL_STEPS:
            continue
        # ${{ steps.pages.outputs.base_url }} is what configure-pages gives: the address without a trailing slash.
        step_env = {
            k: str(v).replace("${{ steps.pages.outputs.base_url }}", "https://someone.github.io/peru-timeline")
            for k, v in step.get("env", {}).items()
        }
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=copy, env={**env, **step_env}, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{step['name']}: {done.stderr[-2000:]}"
    site = copy / "site"
    page = BeautifulSoup(
        (site / "es/events/lucanamarca-massacre/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert (
        page.find("link", rel="canonical")["href"]
        == "https://someone.github.io/peru-timeline/es/events/lucanamarca-massacre/"
    )
    assert page.find("script", type="application/ld+json") is not None
    issue = page.select_one(".corrections a")["href"]
    assert issue.startswith("https://github.com/someone/peru-timeline/issues/new?template=correction.yml")
    for name in (
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        "es/feed.xml",
        "data/timelinejs.es.json",
        "pagefind/pagefind.js",
    ):
        assert (site / name).is_file(), name


def test_issue_forms_and_pull_request_template_exist_and_parse() -> None:
    forms = ROOT / ".github/ISSUE_TEMPLATE"
    for name in ("correction.yml", "new-event.yml"):
        form = yaml.safe_load((forms / name).read_text(encoding="utf-8"))
        ids = [item.get("id") for item in form["body"] if item["type"] != "markdown"]
        assert form["name"] and ids and all(ids)
    correction = yaml.safe_load((forms / "correction.yml").read_text(encoding="utf-8"))
    # The page's "Suggest a correction" link fills in the field with this id.
    assert "entry" in [item.get("id") for item in correction["body"]]
    assert "read_at" in (ROOT / ".github/pull_request_template.md").read_text(encoding="utf-8")


def test_gitignore_lists_no_tracked_file() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "ls-files", "-ci", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "", f"tracked but ignored: {done.stdout}"
