"""The benchmark corpus as a Pelican site, with a minimal theme for the same page set as quipu's.

Events are articles (content/events/<year>/, at events/<slug>/) whose metadata name their actors as
authors (so an actor's page is Pelican's author page), their tag as a tag, and their places, toll and
source as custom fields; years are Pelican's year archives. Actors and places are read, and the place
pages written, by a small plugin (pelican_entries.py, copied into the site's plugins/). The events list
is the archives page, the actors and tags lists are the authors and tags pages; categories and feeds
are off. Search, data and 404 are pages. The content cache is on (Pelican's default reader layer).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import RELATIVE_LINK, Actor, Corpus, Event, Place

HERE = Path(__file__).resolve().parent

SETTINGS = """\
SITENAME = {title!r}
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "theme"
THEME_STATIC_DIR = "static"
RELATIVE_URLS = True

ARTICLE_PATHS = ["events"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
ARTICLE_URL = "events/{{slug}}/"
ARTICLE_SAVE_AS = "events/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
AUTHOR_URL = "actors/{{slug}}/"
AUTHOR_SAVE_AS = "actors/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
CATEGORY_URL = ""
CATEGORY_SAVE_AS = ""
YEAR_ARCHIVE_URL = "years/{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "years/{{date:%Y}}/index.html"
DIRECT_TEMPLATES = ["index", "archives", "authors", "tags"]
ARCHIVES_URL = "events/"
ARCHIVES_SAVE_AS = "events/index.html"
AUTHORS_URL = "actors/"
AUTHORS_SAVE_AS = "actors/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
NEWEST_FIRST_ARCHIVES = False
DEFAULT_PAGINATION = False
SUMMARY_MAX_LENGTH = 40

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"

MARKDOWN = {{
    "extension_configs": {{"markdown.extensions.extra": {{}}, "markdown.extensions.meta": {{}}}},
    "output_format": "html5",
}}

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["pelican_entries"]
"""

TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="stylesheet" href="{{ SITEURL }}/static/style.css"></head>
<body>
<header><a href="{{ SITEURL }}/">{{ SITENAME }}</a>
<nav><a href="{{ SITEURL }}/events/">Timeline</a> <a href="{{ SITEURL }}/actors/">Actors</a>
<a href="{{ SITEURL }}/places/">Places</a> <a href="{{ SITEURL }}/tags/">Topics</a>
<a href="{{ SITEURL }}/search/">Search</a></nav></header>
<main>{% block main %}{% endblock %}</main>
<footer><a href="{{ SITEURL }}/data/">Data</a></footer>
</body>
</html>
""",
    "_macros.html": """\
{% macro item(a) %}<li><time>{{ a.when }}</time> <a href="{{ SITEURL }}/{{ a.url }}">{{ a.title }}</a> \
{{ a.killed_min }}–{{ a.killed_max }} killed<div>{{ a.summary }}</div></li>{% endmacro %}
{% macro place(slug) %}{% set p = place_entries[slug] %}<a href="{{ SITEURL }}/places/{{ slug }}/">{{ p.title }}</a>\
{% if p.within %}{% set q = place_entries[p.within] %} › <a href="{{ SITEURL }}/places/{{ p.within }}/">{{ q.title }}</a>{% endif %}\
{% endmacro %}
""",
    "index.html": """\
{% extends "base.html" %}{% from "_macros.html" import item with context %}
{% block main %}<h1>{{ SITENAME }}</h1>
<p>{{ articles|length }} events, {{ actor_entries|length }} actors, {{ place_entries|length }} places.</p>
<h2>Years</h2>
<ul>{% for y in period_archives["year"] %}<li><a href="{{ SITEURL }}/{{ y.url }}">{{ y.period[0] }}</a> ({{ y.dates|length }})</li>{% endfor %}</ul>
<h2>Recent events</h2>
<ul>{% for a in articles[:10] %}{{ item(a) }}{% endfor %}</ul>
{% endblock %}
""",
    "archives.html": """\
{% extends "base.html" %}{% from "_macros.html" import item with context %}
{% block title %}All events · {{ SITENAME }}{% endblock %}
{% block main %}<h1>All events</h1>
<p>{{ dates|length }} events, in date order.</p>
{% for year, group in dates|groupby("date.year") %}<h2 id="y{{ year }}">{{ year }}</h2>
<ul>{% for a in group %}{{ item(a) }}{% endfor %}</ul>{% endfor %}
{% endblock %}
""",
    "article.html": """\
{% extends "base.html" %}{% from "_macros.html" import place with context %}
{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<article><h1>{{ article.title }}</h1>
<dl>
<dt>When</dt><dd>{{ article.when }} (<a href="{{ SITEURL }}/years/{{ article.date.year }}/">{{ article.date.year }}</a>)</dd>
<dt>Where</dt><dd>{% for slug in article.places.split(", ") %}{{ place(slug) }} {% endfor %}</dd>
<dt>Who</dt><dd>{% for author in article.authors %}<a href="{{ SITEURL }}/{{ author.url }}">{{ actor_entries[author.slug].title }}</a> {% endfor %}</dd>
<dt>Casualties</dt><dd>Killed: {{ article.killed_min }}–{{ article.killed_max }}. {{ article.casualties_note }}</dd>
<dt>Topics</dt><dd>{% for tag in article.tags %}<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> {% endfor %}</dd>
</dl>
{{ article.content }}
<h2>Sources</h2>
<ol><li>{{ article.source_title }}, {{ article.source_publisher }}: <a href="{{ article.source_url }}">{{ article.source_url }}</a></li></ol>
</article>{% endblock %}
""",
    "period_archives.html": """\
{% extends "base.html" %}{% from "_macros.html" import item with context %}
{% block title %}{{ period[0] }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ period[0] }}</h1>
<h2>Events ({{ dates|length }})</h2>
<ul>{% for a in dates %}{{ item(a) }}{% endfor %}</ul>
{% endblock %}
""",
    "tag.html": """\
{% extends "base.html" %}{% from "_macros.html" import item with context %}
{% block title %}{{ tag }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ tag }}</h1>
<h2>Events ({{ dates|length }})</h2>
<ul>{% for a in dates %}{{ item(a) }}{% endfor %}</ul>
{% endblock %}
""",
    "tags.html": """\
{% extends "base.html" %}
{% block title %}Topics · {{ SITENAME }}{% endblock %}
{% block main %}<h1>Topics</h1>
<ul>{% for tag, events in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> ({{ events|length }})</li>{% endfor %}</ul>
{% endblock %}
""",
    "author.html": """\
{% extends "base.html" %}{% from "_macros.html" import item with context %}
{% set actor = actor_entries[author.slug] %}
{% block title %}{{ actor.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ actor.title }}</h1>
<dl><dt>Kind</dt><dd>{{ actor.kind }}</dd><dt>Also known as</dt><dd>{{ actor.aliases }}</dd></dl>
{{ actor.content }}
<h2>Events ({{ dates|length }})</h2>
<ul>{% for a in dates %}{{ item(a) }}{% endfor %}</ul>
{% endblock %}
""",
    "authors.html": """\
{% extends "base.html" %}
{% block title %}Actors · {{ SITENAME }}{% endblock %}
{% block main %}<h1>Actors</h1>
<ul>{% for author, events in authors %}<li><a href="{{ SITEURL }}/{{ author.url }}">{{ actor_entries[author.slug].title }}</a> ({{ events|length }})</li>{% endfor %}</ul>
{% endblock %}
""",
    "place.html": """\
{% extends "base.html" %}{% from "_macros.html" import item, place as place_link with context %}
{% block title %}{{ place.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ place.title }}</h1>
<dl><dt>Kind</dt><dd>{{ place.kind }}</dd>
{% if place.within %}<dt>Within</dt><dd>{{ place_link(place.within) }}</dd>{% endif %}
{% if children %}<dt>Within it</dt><dd>{% for c in children %}<a href="{{ SITEURL }}/places/{{ c.slug }}/">{{ c.title }}</a> {% endfor %}</dd>{% endif %}
</dl>
{{ place.content }}
<h2>Events here and within ({{ dates|length }})</h2>
<ul>{% for a in dates %}{{ item(a) }}{% endfor %}</ul>
{% endblock %}
""",
    "places.html": """\
{% extends "base.html" %}
{% block title %}Places · {{ SITENAME }}{% endblock %}
{% block main %}<h1>Places</h1>
<ul>{% for p in places %}<li><a href="{{ SITEURL }}/places/{{ p.slug }}/">{{ p.title }}</a> {{ p.kind }} · {{ counts.get(p.slug, 0) }} events</li>{% endfor %}</ul>
{% endblock %}
""",
    "page.html": """\
{% extends "base.html" %}
{% block title %}{{ page.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<h1>{{ page.title }}</h1>
{{ page.content }}
{% endblock %}
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
        f"Title: {event.title}\nDate: {event.full_date}\nSlug: {event.slug}\nWhen: {event.date}\n"
        f"Authors: {', '.join(event.actors)}\nTags: {', '.join(event.tags)}\nPlaces: {', '.join(event.places)}\n"
        f"Killed_min: {low}\nKilled_max: {high}\nCasualties_note: {event.note}\n"
        f"Source_title: {title}\nSource_publisher: {publisher}\nSource_url: {url}\n\n"
        f"{event.body} {RELATIVE_LINK}\n",
        encoding="utf-8",
    )


def write_actor(root: Path, actor: Actor) -> None:
    (root / "content" / "actors" / f"{actor.slug}.md").write_text(
        f"Title: {actor.name}\nSlug: {actor.slug}\nKind: {actor.kind}\nAliases: {', '.join(actor.aliases)}\n\n"
        f"{actor.body}\n",
        encoding="utf-8",
    )


def write_place(root: Path, place: Place) -> None:
    lines = [f"Title: {place.name}", f"Slug: {place.slug}", f"Kind: {place.kind}"]
    if place.within:
        lines.append(f"Within: {place.within}")
    if place.regions:
        lines.append(f"Regions: {', '.join(place.regions)}")
    if place.coordinates:
        lines.append(f"Coordinates: {place.coordinates[0]:.4f}, {place.coordinates[1]:.4f}")
    (root / "content" / "places" / f"{place.slug}.md").write_text(
        "\n".join(lines) + f"\n\n{place.body}\n", encoding="utf-8"
    )


def write(corpus: Corpus, root: Path) -> None:
    """The whole Pelican site under root: pelicanconf.py, theme/, plugins/, content/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(SETTINGS.format(title=corpus.title), encoding="utf-8")
    templates = root / "theme" / "templates"
    templates.mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (templates / name).write_text(text, encoding="utf-8")
    (root / "theme" / "static").mkdir()
    (root / "theme" / "static" / "style.css").write_text(STYLE, encoding="utf-8")
    (root / "plugins").mkdir()
    shutil.copy(HERE / "pelican_entries.py", root / "plugins" / "pelican_entries.py")
    content = root / "content"
    for folder in ("actors", "places", "pages"):
        (content / folder).mkdir(parents=True)
    pages = content / "pages"
    (pages / "search.md").write_text(
        "Title: Search\nSlug: search\n\nSearch needs JavaScript; browse the [timeline](../events/).\n", encoding="utf-8"
    )
    (pages / "data.md").write_text("Title: Data\nSlug: data\n\nThe timeline's data, for download.\n", encoding="utf-8")
    (pages / "404.md").write_text(
        "Title: Not found\nSlug: 404\nUrl: 404.html\nSave_as: 404.html\n\n"
        "There is no page at this address. [The timeline](./).\n",
        encoding="utf-8",
    )
    for actor in corpus.actors:
        write_actor(root, actor)
    for place in corpus.places:
        write_place(root, place)
    for event in corpus.events:
        write_event(root, corpus, event)


def clean(root: Path) -> None:
    """Remove the output and Pelican's content cache."""
    for name in ("output", "cache"):
        shutil.rmtree(root / name, ignore_errors=True)


def command(pelican: Path) -> list[str]:
    return [str(pelican), "content", "-o", "output", "-s", "pelicanconf.py"]


OUTPUT = "output"
