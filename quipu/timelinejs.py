"""The timeline in TimelineJS3's JSON format, one file per language, so it can be embedded with that tool.

Follows the documented format (timeline.knightlab.com/docs/json-format.html): a title slide,
`events` whose `start_date`/`end_date` are date objects holding only the parts known
(a date known to the month has no `day`), `display_date` in the page's language, and the
periods of the first series as `eras`. Text is HTML that TimelineJS shows as is, so every
value from content is escaped.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from typing import Any

from . import urls
from .corpus import Corpus
from .dates import PartialDate
from .exports import Memo, dumps_texts, item_text, no_memo
from .locales import Locale
from .model import Event
from .published import page_url


def date_object(d: PartialDate, shown: str | None = None) -> dict[str, Any]:
    """{year, month?, day?}: TimelineJS's date object with only the precision known."""
    out: dict[str, Any] = {"year": d.year}
    if d.month is not None:
        out["month"] = d.month
        if d.day is not None:
            out["day"] = d.day
    if shown:
        out["display_date"] = shown
    return out


def slide(corpus: Corpus, locale: Locale, e: Event) -> dict[str, Any]:
    """One event as a TimelineJS slide."""
    address = page_url(corpus.site, urls.localized(urls.event(e.slug), locale.prefix))
    text = f'<p>{html.escape(e.summary_line)}</p><p><a href="{html.escape(address)}">{html.escape(address)}</a></p>'
    made: dict[str, Any] = {
        "unique_id": e.slug,
        "start_date": date_object(e.date, locale.date(e.date)),
        "text": {"headline": html.escape(e.title), "text": text},
    }
    if e.end_date is not None:
        made["end_date"] = date_object(e.end_date, locale.date(e.end_date))
    periods = corpus.periods_of_event.get(e.slug, [])
    if periods:
        made["group"] = periods[0].name
    return made


def _slide_text(corpus: Corpus, locale: Locale, e: Event) -> str:
    return item_text(slide(corpus, locale, e))


def _slides(corpus: Corpus, locale: Locale, name: str, memo: Memo) -> Iterator[bytes]:
    for e in corpus.events:
        yield memo(name, e.slug, functools.partial(_slide_text, corpus, locale, e))


def timeline(corpus: Corpus, locale: Locale) -> dict[str, Any]:
    return {**timeline_head(corpus), "events": [slide(corpus, locale, e) for e in corpus.events]}


def timeline_head(corpus: Corpus) -> dict[str, Any]:
    """The timeline without its events: title, eras and scale."""
    site = corpus.site
    eras = []
    series = next(iter(site.period_series), None)
    last = max((e.end_date or e.date for e in corpus.events), key=lambda d: d.latest(), default=None)
    for period in sorted(corpus.periods.values(), key=lambda p: (p.start.earliest(), p.slug)):
        if period.series.slug != series:
            continue
        end = period.end or last
        if end is None:
            continue
        eras.append(
            {
                "start_date": date_object(period.start),
                "end_date": date_object(end),
                "text": {"headline": html.escape(period.name)},
            }
        )
    intro = site.description or ""
    return {
        "title": {"text": {"headline": html.escape(site.title), "text": f"<p>{html.escape(intro)}</p>"}},
        "eras": eras,
        "scale": "human",
    }


def timeline_files(
    editions: dict[str, Corpus], locales: list[Locale], memo: Memo = no_memo
) -> dict[str, Iterator[bytes]]:
    """data/timelinejs.<lang>.json for every language of the site, written a slide at a time."""
    files = {}
    for locale in locales:
        corpus = editions[locale.code]
        name = urls.data(f"timelinejs.{locale.code}.json")
        files[name] = dumps_texts(
            timeline_head(corpus), "events", _slides(corpus, locale, name, memo), functools.partial(memo.lay_out, name)
        )
    return files
