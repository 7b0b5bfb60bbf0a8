"""Interface strings in each language, from gettext catalogs.

Templates write English text, `t("Related events")` and `tn("{n} event",
"{n} events", n)`; `templates/i18n/<lang>.po` translates it, in the format
translators' tools read (Poedit, Weblate, `pybabel update`). The .po file is
compiled in memory, so nothing generated is committed beside it. A catalog
written as `<lang>.yaml` ('English text: translation' lines) is still read.
A missing translation falls back to the English text; a test lists them.
"""

from __future__ import annotations

import gettext
import hashlib
import io
from pathlib import Path

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from .errors import Problem, TemplateProblem, display_path


def N_(text: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Marks an interface string for the catalog (pybabel extract); it is translated where it is shown."""
    return text


try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _DictTranslations(gettext.NullTranslations):
    """A YAML catalog: singular strings by their English text; plurals by each English form."""

    def __init__(self, strings: dict[str, str]) -> None:
        super().__init__()
        self.strings = strings

    def gettext(self, message: str) -> str:
        return self.strings.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        chosen = msgid1 if n == 1 else msgid2
        return self.strings.get(chosen, chosen)


class Catalog:
    """The interface strings of one language."""

    def __init__(
        self, language: str, strings: dict[str, str] | gettext.NullTranslations, fingerprint: str | None = None
    ) -> None:
        self.language = language
        self.translations = strings if isinstance(strings, gettext.NullTranslations) else _DictTranslations(strings)
        # What the strings are made from (the catalog file's bytes), for page fingerprints.
        if fingerprint is None:
            items = sorted(strings.items()) if isinstance(strings, dict) else []
            fingerprint = hashlib.sha256(repr((language, items)).encode()).hexdigest()
        self.fingerprint = fingerprint

    def t(self, text: str, **values: object) -> str:
        translated = self.translations.gettext(text)
        return translated.format(**values) if values else translated

    def plural(self, one: str, many: str, n: int) -> str:
        """The form for n, by the catalog's plural rule (CLDR's, written into the .po header by Babel)."""
        return self.translations.ngettext(one, many, n)


def load_catalog(templates: Path | list[Path], language: str) -> Catalog:
    """The catalog for a language code ('es', 'es-PE' → es.po or es.yaml); English needs none.

    With several folders (a project's over the theme), the first that has a catalog for the language wins.
    """
    base = language.split("-")[0].lower()
    for folder in templates if isinstance(templates, list) else [templates]:
        for name in (language, base):
            po = folder / "i18n" / f"{name}.po"
            if po.is_file():
                return Catalog(base, _read_po(po), hashlib.sha256(po.read_bytes()).hexdigest())
            path = folder / "i18n" / f"{name}.yaml"
            if path.is_file():
                return Catalog(base, _read_yaml(path), hashlib.sha256(path.read_bytes()).hexdigest())
    return Catalog(base, {})


def _read_po(path: Path) -> gettext.GNUTranslations:
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", 1) or 1
        raise TemplateProblem(
            Problem(shown, line, f"cannot read the catalog: {exc}; check the msgid/msgstr quoting on that line")
        ) from None
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)  # a fuzzy string still beats English; the test lists them
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _read_yaml(path: Path) -> dict[str, str]:
    shown = display_path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_Loader) or {}
    except yaml.MarkedYAMLError as exc:
        line = (exc.problem_mark.line + 1) if exc.problem_mark else 1
        raise TemplateProblem(
            Problem(shown, line, f"YAML syntax error: {exc.problem}; each line is 'English text: translation'")
        ) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TemplateProblem(Problem(shown, 1, f"cannot read the catalog ({exc}); save it as UTF-8 YAML")) from None
    if not isinstance(data, dict):
        raise TemplateProblem(Problem(shown, 1, "the catalog must be a mapping of 'English text: translation' lines"))
    return {str(k): str(v) for k, v in data.items()}
