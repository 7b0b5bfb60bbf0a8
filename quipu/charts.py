"""Chart geometry, computed at build time: pure functions from events to shapes.

Templates draw the shapes as SVG (readable without JavaScript, printable) and
show the same figures in a table. Deaths are never one made-up number: each
year is drawn as a band from the lowest to the highest recorded figure, and
events known only to the month or the year are drawn as spans, not points.
Axis labels are HTML positioned in percent, so they stay legible at any width.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .dates import PartialDate
from .model import Event, Period, deaths


@dataclass(frozen=True)
class YearColumn:
    year: int
    events: int
    deaths_low: int
    deaths_high: int
    counted: int  # events with a recorded toll
    x: float  # left edge, in user units
    events_h: float  # bar heights, in user units
    low_h: float
    high_h: float


@dataclass(frozen=True)
class Shade:
    """A period drawn behind the strip."""

    slug: str
    name: str
    lang: str
    x: float
    width: float
    tone: int  # alternates 0/1 so neighbouring periods differ


@dataclass(frozen=True)
class Strip:
    width: int
    column: float
    events_height: int
    deaths_height: int
    columns: tuple[YearColumn, ...]
    shades: tuple[Shade, ...]
    ticks: tuple[tuple[int, float], ...]  # (year, left position in percent of the width)
    peak_events: int
    peak_deaths: int
    first: int
    last: int


def timeline_strip(
    events_by_year: dict[int, list[Event]],
    first: int,
    last: int,
    periods: Sequence[Period] = (),
    column: float = 10.0,
    events_height: int = 60,
    deaths_height: int = 60,
) -> Strip:
    """Every year from first to last: events per year, deaths as a band, periods behind."""
    years = list(range(first, last + 1))
    stats = {}
    for y in years:
        recorded = deaths(events_by_year.get(y, []))
        stats[y] = (len(events_by_year.get(y, [])), recorded.low, recorded.high, recorded.events_with_counts)
    peak_events = max((s[0] for s in stats.values()), default=0) or 1
    peak_deaths = max((s[2] for s in stats.values()), default=0) or 1
    columns = []
    for i, y in enumerate(years):
        count, low, high, counted = stats[y]
        columns.append(
            YearColumn(
                y,
                count,
                low,
                high,
                counted,
                i * column,
                round(count / peak_events * events_height, 2),
                round(low / peak_deaths * deaths_height, 2),
                round(high / peak_deaths * deaths_height, 2),
            )
        )
    width = int(len(years) * column)
    shades = []
    for i, period in enumerate(periods):
        x0 = _position(period.start.earliest(), first, column)
        x1 = _position(period.end.latest() if period.end else date(last, 12, 31), first, column)
        x0, x1 = max(0.0, x0), min(float(width), x1)
        if x1 > x0:
            shades.append(
                Shade(
                    period.slug,
                    period.name,
                    period.lang,
                    round(x0, 2),
                    round(x1 - x0, 2),
                    i % 2,
                )
            )
    ticks = tuple((y, round((y - first) * column / width * 100, 2)) for y in years if y % 10 == 0)
    return Strip(
        width,
        column,
        events_height,
        deaths_height,
        tuple(columns),
        tuple(shades),
        ticks,
        peak_events,
        peak_deaths,
        first,
        last,
    )


def _position(day: date, first: int, column: float) -> float:
    """x of a day: its year's column plus the fraction of the year gone."""
    days = 366 if calendar.isleap(day.year) else 365
    return ((day.year - first) + (day.timetuple().tm_yday - 1) / days) * column


@dataclass(frozen=True)
class MonthMark:
    """One event on a year's month axis: a point for a known day, a span for a month or the year."""

    slug: str
    title: str
    lang: str
    x: float
    width: float  # 0 for a day
    row: int
    precision: str
    note: str  # how the date is known (date_note), shown with the mark


def year_months(year: int, events: Sequence[Event], width: int = 600) -> tuple[MonthMark, ...]:
    """Events of one year placed on its twelve months, without inventing days; spans stack in rows."""
    month_w = width / 12
    marks: list[MonthMark] = []
    rows_end: list[float] = []
    for event in events:
        d = event.date
        start, span = _span_in_year(d, event.end_date, year, month_w)
        row = next((i for i, end in enumerate(rows_end) if end + 2 <= start), len(rows_end))
        if row == len(rows_end):
            rows_end.append(0.0)
        rows_end[row] = start + max(span, 4)
        marks.append(
            MonthMark(
                event.slug,
                event.title,
                event.lang,
                round(start, 2),
                round(span, 2),
                row,
                d.precision,
                event.date_note or "",
            )
        )
    return tuple(marks)


def _span_in_year(d: PartialDate, end: PartialDate | None, year: int, month_w: float) -> tuple[float, float]:
    if d.year < year:
        start = 0.0
    elif d.month is None:
        return 0.0, 12 * month_w
    else:
        days = calendar.monthrange(d.year, d.month)[1]
        start = (d.month - 1) * month_w + ((d.day - 1) / days * month_w if d.day else 0.0)
    if end is not None and end != d:
        last = end.latest()
        stop = (
            12 * month_w
            if last.year > year
            else (last.month - 1 + last.day / calendar.monthrange(last.year, last.month)[1]) * month_w
        )
        return start, max(stop - start, 0.0)
    if d.precision == "month":
        return start, month_w
    return start, 0.0
