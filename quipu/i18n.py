"""Interface strings in the site's language.

Templates write English text, `t("Related events")`, and a catalog per
language (`templates/i18n/<lang>.yaml`) maps it to a translation, gettext
style. A missing translation falls back to English; a test lists them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import Problem, TemplateProblem, display_path

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class Catalog:
    def __init__(self, language: str, strings: dict[str, str]) -> None:
        self.language = language
        self.strings = strings

    def t(self, text: str, **values: object) -> str:
        return self.strings.get(text, text).format(**values) if values else self.strings.get(text, text)

    def tn(self, one: str, many: str, n: int, shown: str | None = None, **values: object) -> str:
        """Singular or plural form; `{n}` is the count (or `shown`, e.g. a range) formatted for the language."""
        chosen = one if n == 1 else many
        return self.strings.get(chosen, chosen).format(n=shown if shown is not None else self.number(n), **values)

    def number(self, n: int) -> str:
        text = f"{n:,}"
        # Spanish style guides group thousands with a (narrow, unbreakable) space.
        return text.replace(",", "\u202f") if self.language == "es" else text


def load_catalog(templates: Path, language: str) -> Catalog:
    """The catalog for a language code ('es', 'es-PE' → es.yaml); English needs none."""
    base = language.split("-")[0].lower()
    for name in (language, base):
        path = templates / "i18n" / f"{name}.yaml"
        if path.is_file():
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
                raise TemplateProblem(
                    Problem(shown, 1, f"cannot read the catalog ({exc}); save it as UTF-8 YAML")
                ) from None
            if not isinstance(data, dict):
                raise TemplateProblem(
                    Problem(shown, 1, "the catalog must be a mapping of 'English text: translation' lines")
                )
            return Catalog(base, {str(k): str(v) for k, v in data.items()})
    return Catalog(base, {})
