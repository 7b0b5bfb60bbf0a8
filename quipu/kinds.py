"""The registry of content kinds: what each folder of content/ holds and how it is built.

One home for the list of kinds, so that reading, validation, links, URLs and
translations agree on it instead of each keeping its own list or if-chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import urls
from .errors import Problem
from .model import (
    Entry,
    SiteConfig,
    build_actor,
    build_event,
    build_page,
    build_period,
    build_place,
    check_actor,
    check_event,
    check_period,
    check_place,
    check_slug,
)
from .source import KINDS as FOLDERS
from .source import RawEntry

Builder = Callable[[RawEntry, dict[str, Any], SiteConfig, date], tuple[Entry | None, list[Problem]]]
Checker = Callable[[RawEntry, dict[str, Any], SiteConfig, date], list[Problem]]


@dataclass(frozen=True)
class Kind:
    name: str  # folder under content/ and schema name: events
    singular: str  # event
    build: Builder
    url: Callable[[str], str]
    check: Checker  # the builder's cross-field checks alone, safe on an entry whose other fields are wrong


def _site_free(function: Callable[[RawEntry, dict[str, Any]], Any]) -> Callable[..., Any]:
    """Kinds whose checks need neither the site nor today's date take the common signature too."""
    return lambda raw, values, site, today: function(raw, values)


KINDS: dict[str, Kind] = {
    "events": Kind("events", "event", build_event, urls.event, check_event),
    "actors": Kind("actors", "actor", _site_free(build_actor), urls.actor, _site_free(check_actor)),
    "places": Kind("places", "place", _site_free(build_place), urls.place, _site_free(check_place)),
    "pages": Kind("pages", "page", _site_free(build_page), urls.page, lambda raw, values, site, today: check_slug(raw)),
    "periods": Kind("periods", "period", build_period, urls.period, check_period),
}
BY_SINGULAR = {kind.singular: kind for kind in KINDS.values()}
assert tuple(KINDS) == FOLDERS, "source.KINDS lists the folders in the registry's order"
