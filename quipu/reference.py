"""The contributors' field reference, generated from the schema (see CONTRIBUTING.md)."""

from __future__ import annotations

from .schema import CASUALTIES, SCHEMAS, SOURCE, Mapping
from .translations import TRANSLATION_SCHEMAS

TITLES = {
    "events": "Events: `content/events/<YYYY>/<slug>.md`",
    "actors": "Actors: `content/actors/<slug>.md`",
    "places": "Places: `content/places/<slug>.md`",
    "pages": "Pages: `content/pages/<slug>.md`",
    "periods": "Periods: `content/periods/<slug>.md`",
    "site": "Site settings: `content/site.yaml`",
    "source": "Each item of `sources`",
    "casualties": "`casualties`",
    "events-translation": "Translations of events: `content/events/<YYYY>/<slug>.<lang>.md`, beside the event",
    "actors-translation": "Translations of actors: `content/actors/<slug>.<lang>.md`",
    "places-translation": "Translations of places: `content/places/<slug>.<lang>.md`",
    "pages-translation": "Translations of pages: `content/pages/<slug>.<lang>.md`",
    "periods-translation": "Translations of periods: `content/periods/<slug>.<lang>.md`",
    "site-translation": "Translation of the site settings: `content/site.<lang>.yaml`",
}


def _table(mapping: Mapping) -> list[str]:
    rows = ["| field | required | type | meaning |", "| --- | --- | --- | --- |"]
    for field in mapping.fields:
        rows.append(f"| `{field.name}` | {'yes' if field.required else ''} | {field.spec.label} | {field.doc} |")
    return rows


def field_reference() -> str:
    """Markdown tables of every field, in schema order."""
    out: list[str] = []
    sections: list[tuple[str, Mapping]] = [
        (k, SCHEMAS[k]) for k in ("events", "actors", "places", "pages", "periods", "site")
    ]
    sections[1:1] = [("source", SOURCE), ("casualties", CASUALTIES)]
    sections += [(f"{k}-translation", TRANSLATION_SCHEMAS[k]) for k in TRANSLATION_SCHEMAS]
    for key, mapping in sections:
        out += [f"### {TITLES[key]}", "", *_table(mapping), ""]
    return "\n".join(out)


def update_contributing(path: str = "CONTRIBUTING.md") -> bool:
    """Rewrite the generated section of CONTRIBUTING.md; True if it changed."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, rest = text.split("<!-- fields:start -->\n", 1)
    _old, tail = rest.split("<!-- fields:end -->", 1)
    new = f"{head}<!-- fields:start -->\n{field_reference()}<!-- fields:end -->{tail}"
    if new != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(new)
    return new != text


if __name__ == "__main__":
    print("updated CONTRIBUTING.md" if update_contributing() else "CONTRIBUTING.md is up to date")
