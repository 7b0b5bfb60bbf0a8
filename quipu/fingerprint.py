"""Fingerprints of outputs: a digest of everything a page is made from, so a rebuild renders only what changed.

Producers are pure and each page's context holds what its template shows, so a page is
fully described by (the tool, its template and the templates that one uses, its locale
and catalog, its URL, title and context). The digest walks those values structurally:
dataclasses field by field, mappings and sequences in order, sets sorted, a Markdown
body by its source and where its page sits. A value of a type it does not know makes
the page unfingerprintable: it is then always rendered, never skipped by mistake.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from functools import cache, lru_cache
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup

from .standing import parts_digest as _h
from .standing import tool_fingerprint as tool_fingerprint  # where it lives: no engine imports


class Unfingerprintable(Exception):
    """A value the digest cannot describe; the page is rendered every time."""


class Digester:
    """Structural digests, memoised by object identity for the life of one build (the objects stay alive).

    Only values of the `lasting` types are memoised: those that live as long as the build (the entries and
    their parts, made once when the content is read and shown on many pages). What a page makes for itself
    (its containers, charts, citation) is digested each time it is met, and let go with the page.
    """

    def __init__(
        self,
        special: dict[type, Callable[[Any], Iterable[Any]]] | None = None,
        lasting: tuple[type, ...] = (),
        tracked: tuple[type, ...] = (),
        track: Callable[[Any], str] | None = None,
    ) -> None:
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive, so their ids are not reused
        self.special = special or {}
        self._lasting_types = lasting
        self._lasts: dict[type, bool] = {}  # by type: memoised or not
        # What a digest read: the keys `track` gives the values of the `tracked` types met on the way (inside a
        # memoised value too), so that a later build can tell which outputs a changed input can reach.
        self._tracked_types = tracked
        self._tracks: dict[type, bool] = {}
        self._track = track
        self._inner: dict[int, frozenset[str]] = {}  # memoised value -> the keys met inside it
        self._frames: list[set[str]] = []

    def reading(self, value: Any) -> tuple[Any, frozenset[str]]:
        """The digest of `value`, and the keys of every tracked value it holds."""
        frame: set[str] = set()
        self._frames.append(frame)
        try:
            return self(value), frozenset(frame)
        finally:
            self._frames.pop()

    def seed(self, value: Any, digest: bytes, keys: frozenset[str] = frozenset()) -> None:
        """Take a lasting value's digest as known (kept from an earlier build of the same value)."""
        key = id(value)
        self._memo[key] = digest
        self._keep.append(value)
        if keys:
            self._inner[key] = keys

    def __call__(self, value: Any) -> Any:
        """A digest (16 bytes) for a container; plain values stand for themselves (pickle tags their type)."""
        kind = type(value)
        if kind in _LEAVES:
            return value
        if kind is bytes:
            return ("bytes", value)
        key = id(value)
        found = self._memo.get(key)
        if found is not None:
            if self._frames:
                inner = self._inner.get(key)
                if inner:
                    self._frames[-1].update(inner)
            return found
        lasting = self._lasts.get(kind)
        if lasting is None:
            lasting = self._lasts[kind] = issubclass(kind, self._lasting_types)
        tracked = self._tracks.get(kind)
        if tracked is None:
            tracked = self._tracks[kind] = issubclass(kind, self._tracked_types) and self._track is not None
        if not lasting:
            digest = self._compute(value, kind)
            if tracked and self._frames:
                self._frames[-1].add(self._track(value))  # type: ignore[misc]
            return digest
        frame: set[str] = set()
        self._frames.append(frame)
        try:
            digest = self._compute(value, kind)
        finally:
            self._frames.pop()
        if tracked:
            frame.add(self._track(value))  # type: ignore[misc]
        if frame:
            self._inner[key] = frozenset(frame)
            if self._frames:
                self._frames[-1].update(frame)
        self._memo[key] = digest
        self._keep.append(value)
        return digest

    def replacing(self, value: Any, replaced: dict[str, Any]) -> bytes:
        """The digest of a dataclass with some of its fields taken as other values (not memoised)."""
        kind: type = type(value)
        parts = [self(replaced[f] if f in replaced else getattr(value, f)) for f in _field_names(kind)]
        return sealed(_name(kind), parts)

    def whole_and_replacing(self, value: Any, replaced: dict[str, Any]) -> tuple[bytes, bytes]:
        """`(self(value), self.replacing(value, replaced))` for a dataclass, from one walk of the fields the two
        share, where this digester memoises, tracks and specialises nothing (as each entry's own digests are
        made: quipu.reach.entry_digests, about a third of validating an event)."""
        assert not (self.special or self._lasting_types or self._tracked_types)
        kind: type = type(value)
        fields = _field_names(kind)
        parts = [self(getattr(value, f)) for f in fields]
        other = [self(replaced[f]) if f in replaced else part for f, part in zip(fields, parts, strict=True)]
        name = _name(kind)
        return sealed(name, parts), sealed(name, other)

    def _compute(self, value: Any, kind: type) -> bytes:
        name = _name(kind)
        me = self
        if kind is tuple or kind is list:
            parts = [x if type(x) in _LEAVES else me(x) for x in value]
        elif kind is dict:
            parts = [x if type(x) in _LEAVES else me(x) for item in value.items() for x in item]
        elif isinstance(value, Enum | Markup | date):
            parts = [repr(value)]
        else:
            for special_type, special in self.special.items():
                if isinstance(value, special_type):
                    parts = [me(p) for p in special(value)]
                    break
            else:
                if dataclasses.is_dataclass(value) and not isinstance(value, type):
                    parts = [me(getattr(value, f)) for f in _field_names(kind)]
                elif isinstance(value, list | tuple):  # NamedTuples and other sequences
                    parts = [me(x) for x in value]
                elif isinstance(value, dict):
                    parts = [me(x) for item in value.items() for x in item]
                elif isinstance(value, set | frozenset):
                    parts = sorted(pickle.dumps(me(x), 5) for x in value)
                else:
                    raise Unfingerprintable(f"cannot fingerprint a {kind.__qualname__}")
        return sealed(name, parts)


_LEAVES = frozenset({str, int, float, bool, type(None)})


def sealed(name: bytes, parts: list[Any]) -> bytes:
    """The digest of a container: its type's name and its parts' digests (or plain values)."""
    return hashlib.blake2b(pickle.dumps((name, parts), 5), digest_size=16).digest()


@cache
def _name(kind: type) -> bytes:
    return f"{kind.__module__}.{kind.__qualname__}".encode()


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


class Templates:
    """Fingerprints of templates with everything they extend, include or import; each file parsed once."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._refs: dict[str, tuple[bytes, list[str]]] = {}
        self._prints: dict[str, str] = {}

    def _read(self, name: str) -> tuple[bytes, list[str]]:
        if name not in self._refs:
            assert self.env.loader is not None
            source, _filename, _uptodate = self.env.loader.get_source(self.env, name)
            references = _references(source)
            if None in references:  # a name computed at render time: it could be any template
                references = tuple(self.env.list_templates(extensions=["html", "xml", "txt"]))
            self._refs[name] = (source.encode("utf-8"), [r for r in references if r])
        return self._refs[name]

    def __call__(self, name: str) -> str:
        if name not in self._prints:
            seen: dict[str, bytes] = {}
            pending = [name]
            while pending:
                current = pending.pop()
                if current not in seen:
                    source, references = self._read(current)
                    seen[current] = source
                    pending.extend(references)
            self._prints[name] = _h(*(n.encode() + b"\0" + s for n, s in sorted(seen.items()))).hex()
        return self._prints[name]


_PARSER = jinja2.Environment(extensions=["jinja2.ext.i18n"])


@lru_cache(maxsize=1024)
def _references(source: str) -> tuple[str | None, ...]:
    """The templates a template's source names (parsed once per distinct source in a process: serve)."""
    return tuple(jinja2.meta.find_referenced_templates(_PARSER.parse(source)))
