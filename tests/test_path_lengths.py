"""Every slug becomes a URL path segment and a folder on disk, so `check` limits its length.

A file system takes at most 255 bytes per name; a tag of 300 characters used to pass
`check` and fail the build with "File name too long". Slugs are at most MAX_SLUG_LENGTH
characters wherever they are written: file names, references, old_slugs, tags and the
keys of site.yaml's mappings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from quipu.schema import json_schema
from quipu.specs import MAX_SLUG_LENGTH

from .conftest import Run, event

LONG = "-".join(["tupac-amaru"] * 25)  # 299 characters, a valid slug otherwise
SHORT = "tupac-amaru-" * 6 + "tupac"  # what the message suggests: cut at the last hyphen within the limit


def _message(value: str, field: str) -> str:
    return (
        f"'{value[:59]}…' in '{field}' is {len(value)} characters long (at most {MAX_SLUG_LENGTH}); "
        f"shorten it, e.g. to '{SHORT}'"
    )


def test_the_suggestion_fits() -> None:
    assert len(SHORT) <= MAX_SLUG_LENGTH < len(SHORT) + len("-tupac-amaru")


@pytest.mark.parametrize(
    ("extra", "field", "line"),
    [
        (f"tags: [{LONG}]\n", "tags", 6),
        (f"old_slugs: [{LONG}]\n", "old_slugs", 6),
        (f"related: [{LONG}]\n", "related", 6),
        (f"responsible:\n  - actor: {LONG}\n", "responsible.actor", 7),
    ],
    ids=["tag", "old-slug", "related", "responsible"],
)
def test_a_long_slug_in_an_event_is_refused_by_check_and_build(
    make_site: Callable[..., Path], cli: Callable[..., Run], extra: str, field: str, line: int
) -> None:
    make_site({"events/1980/first-action.md": event(extra=extra)})
    expected = f"content/events/1980/first-action.md:{line}: error: {_message(LONG, field)}"
    for command in ("check", "build"):
        run = cli(command)
        assert run.code == 1 and expected in run.problems, run.err
        assert "File name too long" not in run.err and "Traceback" not in run.err


def test_long_keys_of_site_settings_are_refused(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    site = (
        "title: Test timeline\nperiod: {start: 1980}\n"
        f"tags:\n  {LONG}: A topic\n"
        f"tag_names:\n  {LONG}: a topic\n"
        f"period_series:\n  {LONG}: A series\n"
    )
    make_site({"site.yaml": site})
    run = cli("check")
    assert run.code == 1
    for line, field in ((4, "tags"), (6, "tag_names"), (8, "period_series")):
        assert f"content/site.yaml:{line}: error: {_message(LONG, field)}" in run.problems, run.err


def test_a_long_file_name_is_refused(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    name = "-".join(["tupac-amaru"] * 10)  # 119 characters: a file the file system takes, a slug too long
    make_site({f"actors/{name}.md": "---\nname: Tupac Amaru\nkind: armed-group\n---\nA group.\n"})
    run = cli("check")
    assert run.code == 1
    assert run.problems == [
        f"content/actors/{name}.md:1: error: file name '{name[:59]}…' is {len(name)} characters long "
        f"(at most {MAX_SLUG_LENGTH}); rename it to '{SHORT}'"
    ]


def test_a_slug_at_the_limit_is_accepted(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    name = ("tupac-amaru-" * 7)[:MAX_SLUG_LENGTH].rstrip("-")
    tag = name[: MAX_SLUG_LENGTH - 1] + "x" if len(name) < MAX_SLUG_LENGTH else name
    make_site(
        {
            f"actors/{name}.md": "---\nname: Tupac Amaru\nkind: armed-group\n---\nA group.\n",
            "events/1980/first-action.md": event(extra=f"tags: [{tag}]\nold_slugs: [{tag}]\n"),
        }
    )
    run = cli("build")
    assert run.code == 0, run.err


def test_the_json_schemas_tell_editors_the_limit() -> None:
    text = json.dumps(json_schema("events"))
    assert f'"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": {MAX_SLUG_LENGTH}' in text
    site = json_schema("site")
    assert site["properties"]["tags"]["propertyNames"]["maxLength"] == MAX_SLUG_LENGTH
