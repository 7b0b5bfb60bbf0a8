"""The benchmark corpus as a Hugo site, with minimal layouts for the same page set as quipu's.

Events are regular pages of the section `events` (at events/<slug>/); actors, places, tags and years
are taxonomies, each actor and place a term page with its own _index.md (name, kind, text). An event's
`places` terms hold every place it is at or within, so a department's or region's page lists the events
inside it, as quipu's do; the places the event names itself are in its params (`at`) for its own page.
The years taxonomy has no list page (quipu has none); the other taxonomies' list pages are the
actors, places and tags lists. Search and data are plain pages, as are 404 and the home page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from corpus import RELATIVE_LINK, Actor, Corpus, Event, Place


def q(value: str) -> str:
    """A YAML scalar, quoted (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def flow(values: list[str]) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


CONFIG = """\
baseURL = "/"
title = {title}
languageCode = "en"
relativeURLs = true
disableKinds = ["rss", "sitemap", "robotstxt"]
summaryLength = 40
cacheDir = {cache}

[taxonomies]
  actor = "actors"
  place = "places"
  tag = "tags"
  year = "years"

[permalinks.page]
  events = "/events/:slug/"
"""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ block "title" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "events/" | relURL }}">Timeline</a> <a href="{{ "actors/" | relURL }}">Actors</a>
<a href="{{ "places/" | relURL }}">Places</a> <a href="{{ "tags/" | relURL }}">Topics</a>
<a href="{{ "search/" | relURL }}">Search</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><a href="{{ "data/" | relURL }}">Data</a></footer>
</body>
</html>
""",
    "_partials/item.html": """\
<li><time>{{ .Params.when }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a>\
{{ with .Params.killed }} {{ .min }}–{{ .max }} killed{{ end }}<div>{{ .Summary | truncate 300 }}</div></li>
""",
    "_partials/place.html": """\
{{ with site.GetPage (printf "/places/%s" .) }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>\
{{ with .Params.within }}{{ with site.GetPage (printf "/places/%s" .) }} › <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}{{ end }}{{ end }}
""",
    "home.html": """\
{{ define "title" }}{{ site.Title }}{{ end }}
{{ define "main" }}{{ $events := where site.RegularPages "Section" "events" }}
<h1>{{ site.Title }}</h1>
<p>{{ len $events }} events, {{ len site.Taxonomies.actors }} actors, {{ len site.Taxonomies.places }} places.</p>
<h2>Years</h2>
<ul>{{ range site.Taxonomies.years.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
<h2>Recent events</h2>
<ul>{{ range first 10 $events.ByDate.Reverse }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
""",
    "events/section.html": """\
{{ define "main" }}<h1>All events</h1>
<p>{{ len .Pages }} events, in date order.</p>
{{ range .Pages.GroupByDate "2006" "asc" }}<h2 id="y{{ .Key }}">{{ .Key }}</h2>
<ul>{{ range .Pages.ByDate }}{{ partial "item.html" . }}{{ end }}</ul>{{ end }}
{{ end }}
""",
    "events/page.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<dl>
<dt>When</dt><dd>{{ .Params.when }}{{ range .GetTerms "years" }} (<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>){{ end }}</dd>
<dt>Where</dt><dd>{{ range .Params.at }}{{ partial "place.html" . }} {{ end }}</dd>
<dt>Who</dt><dd>{{ range .GetTerms "actors" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</dd>
<dt>Casualties</dt><dd>Killed: {{ .Params.killed.min }}–{{ .Params.killed.max }}. {{ .Params.casualties_note }}</dd>
<dt>Topics</dt><dd>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</dd>
</dl>
{{ .Content }}
<h2>Sources</h2>
<ol>{{ range .Params.sources }}<li>{{ .title }}, {{ .publisher }}: <a href="{{ .url }}">{{ .url }}</a></li>{{ end }}</ol>
</article>{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<h2>Events ({{ len .Pages }})</h2>
<ul>{{ range .Pages.ByDate }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
""",
    "actors/term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<dl><dt>Kind</dt><dd>{{ .Params.kind }}</dd><dt>Also known as</dt><dd>{{ delimit .Params.aliases ", " }}</dd></dl>
{{ .Content }}
<h2>Events ({{ len .Pages }})</h2>
<ul>{{ range .Pages.ByDate }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
""",
    "places/term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<dl><dt>Kind</dt><dd>{{ .Params.kind }}</dd>
{{ with .Params.within }}<dt>Within</dt><dd>{{ partial "place.html" . }}</dd>{{ end }}
{{ with .Params.children }}<dt>Within it</dt><dd>{{ range . }}{{ with site.GetPage (printf "/places/%s" .) }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}{{ end }}</dd>{{ end }}
</dl>
{{ .Content }}
<h2>Events here and within ({{ len .Pages }})</h2>
<ul>{{ range .Pages.ByDate }}{{ partial "item.html" . }}{{ end }}</ul>
{{ end }}
""",
    "page.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Not found</h1>
<p>There is no page at this address. <a href="{{ "/" | relURL }}">The timeline</a>.</p>
{{ end }}
""",
}

STYLE = "body { font-family: sans-serif; max-width: 48rem; margin: auto; }\n"


def event_path(root: Path, event: Event) -> Path:
    return root / "content" / "events" / event.year / f"{event.slug}.md"


def write_event(root: Path, corpus: Corpus, event: Event) -> None:
    low, high = event.killed
    title, publisher, url = event.source
    path = event_path(root, event)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {q(event.title)}\ndate: {event.full_date}\nslug: {event.slug}\n"
        f"actors: {flow(event.actors)}\nplaces: {flow(corpus.rollup(event))}\ntags: {flow(event.tags)}\n"
        f"years: [{q(event.year)}]\n"
        f"params:\n  when: {q(event.date)}\n  at: {flow(event.places)}\n  killed: {{min: {low}, max: {high}}}\n"
        f"  casualties_note: {q(event.note)}\n"
        f"  sources:\n    - {{title: {q(title)}, publisher: {q(publisher)}, url: {q(url)}}}\n---\n"
        f"{event.body} {RELATIVE_LINK}\n",
        encoding="utf-8",
    )


def write_actor(root: Path, actor: Actor) -> None:
    folder = root / "content" / "actors" / actor.slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_index.md").write_text(
        f"---\ntitle: {q(actor.name)}\nparams:\n  kind: {actor.kind}\n  aliases: {flow(actor.aliases)}\n---\n{actor.body}\n",
        encoding="utf-8",
    )


def write_place(root: Path, place: Place, children: list[str]) -> None:
    folder = root / "content" / "places" / place.slug
    folder.mkdir(parents=True, exist_ok=True)
    params = [f"  kind: {place.kind}"]
    if place.within:
        params.append(f"  within: {place.within}")
    if place.regions:
        params.append(f"  regions: {flow(place.regions)}")
    if place.coordinates:
        params.append(f"  coordinates: [{place.coordinates[0]:.4f}, {place.coordinates[1]:.4f}]")
    if children:
        params.append(f"  children: {flow(children)}")
    (folder / "_index.md").write_text(
        f"---\ntitle: {q(place.name)}\nparams:\n" + "\n".join(params) + f"\n---\n{place.body}\n", encoding="utf-8"
    )


def write(corpus: Corpus, root: Path) -> None:
    """The whole Hugo site under root: hugo.toml, layouts/, static/, content/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(
        CONFIG.format(title=q(corpus.title), cache=q(str(root / ".hugo_cache"))), encoding="utf-8"
    )
    for name, text in LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "style.css").write_text(STYLE, encoding="utf-8")
    content = root / "content"
    content.mkdir(exist_ok=True)
    (content / "_index.md").write_text(f"---\ntitle: {q(corpus.title)}\n---\n", encoding="utf-8")
    (content / "events").mkdir(exist_ok=True)
    (content / "events" / "_index.md").write_text("---\ntitle: All events\n---\n", encoding="utf-8")
    for name, title in (("actors", "Actors"), ("places", "Places"), ("tags", "Topics")):
        (content / name).mkdir(exist_ok=True)
        (content / name / "_index.md").write_text(f"---\ntitle: {title}\n---\n", encoding="utf-8")
    # quipu has no page listing the years (the home page does): none here either
    (content / "years").mkdir(exist_ok=True)
    (content / "years" / "_index.md").write_text(
        "---\ntitle: Years\nbuild:\n  render: never\n  list: never\n---\n", encoding="utf-8"
    )
    (content / "search.md").write_text(
        "---\ntitle: Search\nurl: /search/\n---\nSearch needs JavaScript; browse the [timeline](../events/).\n",
        encoding="utf-8",
    )
    (content / "data.md").write_text(
        "---\ntitle: Data\nurl: /data/\n---\nThe timeline's data, for download.\n", encoding="utf-8"
    )
    for actor in corpus.actors:
        write_actor(root, actor)
    children: dict[str, list[str]] = {}
    for place in corpus.places:
        if place.within:
            children.setdefault(place.within, []).append(place.slug)
    for place in corpus.places:
        write_place(root, place, children.get(place.slug, []))
    for event in corpus.events:
        write_event(root, corpus, event)


def clean(root: Path) -> None:
    """Remove the output and Hugo's caches."""
    for name in ("public", "resources", ".hugo_cache", ".hugo_build.lock"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def command(hugo: Path) -> list[str]:
    return [str(hugo), "--quiet"]


OUTPUT = "public"
