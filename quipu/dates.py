"""Dates known to a year, a month or a day.

Historical dates are often known only roughly; the precision is part of the
fact, so it is kept, compared honestly and shown as such ("May 1980", "1983"); quipu.locales writes them in each language.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")

MONTHS = ("January February March April May June July August September October November December").split()


class DateError(ValueError):
    """A date string that is not YYYY, YYYY-MM or YYYY-MM-DD, or not a real day."""


@dataclass(frozen=True)
class PartialDate:
    """A calendar date with year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def sort_key(self) -> tuple[int, int, int]:
        """Less precise dates sort before the precise dates they contain."""
        return (self.year, self.month or 0, self.day or 0)

    def iso(self) -> str:
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
        if self.day is not None:
            out += f"-{self.day:02d}"
        return out

    def __str__(self) -> str:
        return self.iso()


def parse_date(text: str) -> PartialDate:
    """Parse 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; raise DateError if it is not a real date."""
    match = _DATE_RE.match(text.strip())
    if not match:
        raise DateError("write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1:
        raise DateError("YYYY, YYYY-MM or YYYY-MM-DD; there is no year 0")
    if month is not None and not 1 <= month <= 12:
        raise DateError("YYYY, YYYY-MM or YYYY-MM-DD; the month is 01-12")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(f"YYYY, YYYY-MM or YYYY-MM-DD; {MONTHS[month - 1]} {year} has {last} days")
    return PartialDate(year, month, day)
