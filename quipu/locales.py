"""A language of the site as a value: code, URL prefix, interface strings and formats.

Every page is rendered for one Locale, passed in, never read from a global:
dates, numbers and plural forms come from CLDR through Babel, interface
strings from the language's catalog, and sorting ignores case and accents
the way readers of that language expect.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import babel
from babel.dates import format_date, format_skeleton, get_month_names
from babel.numbers import format_decimal

from .dates import PartialDate
from .i18n import Catalog

# Native names, for the language switcher (shown in their own language).
NATIVE_NAMES = {"en": "English", "es": "Español", "qu": "Runasimi", "pt": "Português", "fr": "Français"}


@dataclass(frozen=True)
class Locale:
    """One edition of the site: 'en' at the root, 'es' under /es/."""

    code: str  # language code as in site.yaml and file names: en, es
    default: bool  # the default language lives at the root, the others under /<code>/
    formats: str  # CLDR locale for dates and numbers, e.g. es_PE
    catalog: Catalog = field(compare=False, hash=False)

    @property
    def prefix(self) -> str:
        return "" if self.default else f"{self.code}/"

    @property
    def native_name(self) -> str:
        return NATIVE_NAMES.get(self.code, self.code)

    def t(self, text: str, **values: object) -> str:
        return self.catalog.t(text, **values)

    def tn(self, one: str, many: str, n: int, shown: str | None = None, **values: object) -> str:
        """Singular or plural form by the catalog's plural rule; `{n}` is the count formatted for the locale."""
        text = self.catalog.plural(one, many, n)
        return text.format(n=shown if shown is not None else self.number(n), **values)

    def number(self, n: int) -> str:
        return _number(self.formats, n)

    def num_range(self, low: int, high: int) -> str:
        return self.number(low) if low == high else f"{self.number(low)}–{self.number(high)}"

    def date(self, d: PartialDate) -> str:
        """The date at its precision: '3 April 1983' / '3 de abril de 1983', 'abril de 1983', '1983'."""
        return _date(self.formats, d)

    def month_names(self) -> tuple[str, ...]:
        """January to December, abbreviated as the locale writes them on an axis."""
        return _month_names(self.formats)

    def sort_key(self, text: str) -> tuple[str, str]:
        return collation_key(text, self.code)


_LOCALES: dict[str, babel.Locale] = {}


def _babel(name: str) -> babel.Locale:
    found = _LOCALES.get(name)
    if found is None:
        found = _LOCALES[name] = babel.Locale.parse(name)
    return found


@functools.lru_cache(maxsize=65536)
def _number(formats: str, n: int) -> str:
    """Formatting is pure and pages repeat the same few numbers and dates, so both are cached."""
    return str(format_decimal(n, locale=_babel(formats)))


@functools.lru_cache(maxsize=65536)
def _date(formats: str, d: PartialDate) -> str:
    if d.month is None:
        return str(d.year)
    if d.day is None:
        return str(format_skeleton("yMMMM", date(d.year, d.month, 1), locale=_babel(formats)))
    return str(format_date(date(d.year, d.month, d.day), "long", locale=_babel(formats)))


@functools.lru_cache(maxsize=64)
def _month_names(formats: str) -> tuple[str, ...]:
    names = get_month_names("abbreviated", "stand-alone", locale=_babel(formats))
    return tuple(str(names[m]) for m in range(1, 13))


def known_format(name: str) -> bool:
    """True when Babel has CLDR data for a locale name such as es_PE."""
    try:
        _babel(name)
    except (ValueError, babel.UnknownLocaleError):
        return False
    return True


def collation_key(text: str, language: str) -> tuple[str, str]:
    """Sort key that ignores case and accents (Áncash with the A's); ñ stays its own letter in Spanish.

    The original text breaks ties, so the order is total and deterministic.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            if ch == "\u0303" and language == "es" and out and out[-1] == "n":
                out[-1] = "n\uffff"  # ñ sorts after n and before o
            continue
        out.append(ch)
    return "".join(out), text
