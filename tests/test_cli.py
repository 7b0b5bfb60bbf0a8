"""Exit codes, the error line format, and the smaller commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from quipu.cli import main
from quipu.schema import SCHEMAS

from .conftest import Run

LINE = re.compile(r"^[^:]+:\d+: (error|warning): .+$")


def test_clean_check_exits_0(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site()
    run = cli("check")
    assert run.code == 0, run.err
    assert "check: ok: checked 3 entries; 0 errors, 0 warnings" in run.err


def test_errors_exit_1_and_every_line_has_the_format(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site({"events/1980/bad.md": "---\ntitle: x\ndate: 1980-02-30\nfoo: 1\nsources: []\n---\n"})
    run = cli("check")
    assert run.code == 1
    assert len(run.problems) == 3
    assert all(LINE.match(line) for line in run.problems)
    assert run.problems[0].startswith("content/events/1980/bad.md:3: error: date 1980-02-30 is not a valid date")


def test_usage_errors_exit_2(cli: Callable[..., Run]) -> None:
    assert cli("frobnicate").code == 2
    assert cli("check", "--no-such-flag").code == 2
    assert cli("new", "event", "A title").code == 2  # no --date


def test_default_command_is_build(make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path) -> None:
    make_site()
    assert cli("--out", "public").code == 0
    assert (tmp_path / "public" / "index.html").is_file()


def test_missing_content_folder(cli: Callable[..., Run]) -> None:
    run = cli("check", "--content", "nowhere")
    assert run.code == 1
    assert "nowhere:1: error: content folder not found" in run.err


def test_new_event_is_placed_by_year_and_accepted_once_filled(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    content = make_site()
    run = cli("new", "event", "Capture of Abimael Guzmán", "--date", "1992-09-12")
    assert run.code == 0, run.err
    path = content / "events/1992/capture-of-abimael-guzman.md"
    text = path.read_text()
    for name in SCHEMAS["events"].field_names():
        assert f"{name}:" in text, name
    unfilled = cli("check")
    assert unfilled.code == 1
    assert any("FILL" in line for line in unfilled.problems)
    filled = (
        text.replace("FILL IN the title of the article, report or ruling", "A report")
        .replace("FILL IN who published it", "A newspaper")
        .replace("https://FILL-IN.example/the-page-you-read", "https://example.org/report")
        .replace("FILL IN the text of the entry.", "Guzmán was captured in Lima.")
    )
    path.write_text(filled)
    run = cli("check")
    assert run.code == 0, run.err
    assert cli("new", "event", "Capture of Abimael Guzmán", "--date", "1992-09-12").code == 1  # exists


def test_new_actor_and_place(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    content = make_site()
    assert cli("new", "actor", "Víctor Quispe Palomino", "--kind", "person").code == 0
    assert cli("new", "place", "Vizcatán del Ene", "--kind", "district").code == 0
    assert (content / "actors/victor-quispe-palomino.md").is_file()
    place = content / "places/vizcatan-del-ene.md"
    assert 'name: "Vizcatán del Ene"' in place.read_text()
    assert cli("new", "place", "X", "--kind", "planet").code == 2


def test_schema_command_writes_json_schemas(cli: Callable[..., Run], tmp_path: Path) -> None:
    assert cli("schema", "--out", "schema").code == 0
    event = json.loads((tmp_path / "schema/events.schema.json").read_text())
    assert event["required"] == ["title", "date", "sources"]
    assert event["additionalProperties"] is False
    assert set(event["properties"]) >= {"title", "date", "casualties", "sources", "body"}


def test_committed_schemas_are_up_to_date(tmp_path: Path) -> None:
    from .conftest import ROOT

    assert main(["schema", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.json"))
    assert written == sorted(p.name for p in (ROOT / "schemas").glob("*.json")), (
        "run: python build.py schema --out schemas"
    )
    assert {f"{kind}.schema.json" for kind in SCHEMAS} | {f"{kind}.translation.schema.json" for kind in SCHEMAS} <= set(
        written
    )
    for name in written:
        committed = ROOT / "schemas" / name
        assert committed.read_text() == (tmp_path / name).read_text(), "run: python build.py schema --out schemas"


def test_internal_errors_are_a_sentence_not_a_traceback(
    make_site: Callable[..., Path], cli: Callable[..., Run], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import quipu.pipeline

    make_site()

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(quipu.pipeline, "load", explode)  # the command line imports it when it needs it
    run = cli("check")
    assert run.code == 1
    assert "Traceback" not in run.err
    assert "internal error: RuntimeError: boom" in run.err


def test_stats_reports_coverage(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site({"site.yaml": "title: T\ncoverage:\n  events: 2\n  years:\n    - {from: 1980, to: 1981, min: 1}\n"})
    run = cli("check", "--stats")
    assert run.code == 1
    assert "content/site.yaml:3: error: coverage: 1 events, the rule asks for at least 2" in run.err
    assert (
        "content/site.yaml:5: error: coverage: years 1980-1981 need at least 1 events each; short: 1981 (0)" in run.err
    )
    run = cli("stats")
    assert json.loads(run.out)["events_per_year"] == {"1980": 1}


def test_contributing_field_reference_is_up_to_date() -> None:
    from quipu.reference import field_reference

    from .conftest import ROOT

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("<!-- fields:start -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert section == field_reference(), "regenerate the field reference in CONTRIBUTING.md"


def test_report_formats_for_tools(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site({"events/1980/bad.md": "---\ntitle: x\ndate: 1980-02-30\nsources: [{title: t, publisher: p}]\n---\n"})
    run = cli("check", "--format", "json")
    assert run.code == 1
    # Machine formats go to stdout; json is one document (check --format json | python -m json.tool), the verdict to stderr.
    document = json.loads(run.out)
    assert (document["ok"], document["errors"], document["warnings"]) == (False, 1, 0)
    assert "check: failed" in run.err and "{" not in run.err
    first = document["problems"][0]
    assert first == {
        "path": "content/events/1980/bad.md",
        "line": 3,
        "severity": "error",
        "message": "date 1980-02-30 is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD; February 1980 has 29 days)",
    }
    lines = cli("check", "--format", "jsonl")
    assert [json.loads(line) for line in lines.out.splitlines()] == document["problems"]
    clean = cli("check", "--format", "json", "--content", "nowhere")
    assert json.loads(clean.out)["problems"][0]["message"].startswith("content folder not found")
    run = cli("check", "--format", "github")
    assert run.out.splitlines()[0] == (
        "::error file=content/events/1980/bad.md,line=3::"
        "date 1980-02-30 is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD; February 1980 has 29 days)"
    )


def test_a_missing_templates_folder_is_refused(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_site()
    run = cli("build", "--templates", "no-such-folder")
    assert run.code == 2 and "templates folder no-such-folder not found" in run.err and "Traceback" not in run.err
