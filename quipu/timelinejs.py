"""The timeline in TimelineJS3's JSON format, one file per language, so it can be embedded with that tool.

Follows the documented format (timeline.knightlab.com/docs/json-format.html): a title slide,
`events` whose `start_date`/`end_date` are date objects holding only the parts known
(a date known to the month has no `day`), `display_date` in the page's language, and the
periods of the first series as `eras`. Text is HTML that TimelineJS shows as is, so every
value from content is escaped.
"""

from __future__ import annotations

import html
import json
from typing import Any

from . import urls
from .corpus import Corpus
from .dates import PartialDate
from .locales import Locale
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


def timeline(corpus: Corpus, locale: Locale) -> dict[str, Any]:
    site = corpus.site
    events = []
    for e in corpus.events:
        address = page_url(site, urls.localized(urls.event(e.slug), locale.prefix))
        text = f'<p>{html.escape(e.summary_line)}</p><p><a href="{html.escape(address)}">{html.escape(address)}</a></p>'
        slide: dict[str, Any] = {
            "unique_id": e.slug,
            "start_date": date_object(e.date, locale.date(e.date)),
            "text": {"headline": html.escape(e.title), "text": text},
        }
        if e.end_date is not None:
            slide["end_date"] = date_object(e.end_date, locale.date(e.end_date))
        periods = corpus.periods_of_event.get(e.slug, [])
        if periods:
            slide["group"] = periods[0].name
        events.append(slide)
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
        "events": events,
        "eras": eras,
        "scale": "human",
    }


def timeline_files(editions: dict[str, Corpus], locales: list[Locale]) -> dict[str, bytes]:
    """data/timelinejs.<lang>.json for every language of the site."""
    files = {}
    for locale in locales:
        data = timeline(editions[locale.code], locale)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        files[urls.data(f"timelinejs.{locale.code}.json")] = text.encode("utf-8")
    return files
