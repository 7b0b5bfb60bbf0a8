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
from .model import Entry, SiteConfig, build_actor, build_event, build_page, build_period, build_place
from .source import KINDS as FOLDERS
from .source import RawEntry

Builder = Callable[[RawEntry, dict[str, Any], SiteConfig, date], tuple[Entry | None, list[Problem]]]


@dataclass(frozen=True)
class Kind:
    name: str  # folder under content/ and schema name: events
    singular: str  # event
    build: Builder
    url: Callable[[str], str]


KINDS: dict[str, Kind] = {
    "events": Kind("events", "event", build_event, urls.event),
    "actors": Kind("actors", "actor", lambda raw, v, site, today: build_actor(raw, v), urls.actor),
    "places": Kind("places", "place", lambda raw, v, site, today: build_place(raw, v), urls.place),
    "pages": Kind("pages", "page", lambda raw, v, site, today: build_page(raw, v), urls.page),
    "periods": Kind("periods", "period", build_period, urls.period),
}
assert tuple(KINDS) == FOLDERS, "source.KINDS lists the folders in the registry's order"
