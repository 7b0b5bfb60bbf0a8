"""Rendering shortcuts must give exactly what plain Jinja would: translations resolved when a template
compiles, and the direct calls of the engine's own template functions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from quipu import render
from quipu.i18n import Catalog
from quipu.locales import Locale
from quipu.pages import Page

from .conftest import ROOT

ROOT_TEMPLATES = ROOT / "templates"

SPANISH = Locale(
    "es",
    False,
    "es_PE",
    Catalog("es", {"Timeline": 'Cronología <línea> & "tiempo"', "{n} items": "{n} ítems", "Map": "Mapa"}),
)


def _render(tmp_path: Path, source: str, locale: Locale = SPANISH, url: str = "es/years/1983/") -> str:
    (tmp_path / "page.html").write_text(source, encoding="utf-8")
    env = render.make_environment([tmp_path])
    return render.render_page(env, Page(url, "page.html", {"items": ["a", "b"]}, "Title", locale=locale))


def _unfolded(tmp_path: Path, source: str, locale: Locale = SPANISH) -> str:
    """The same template through an environment that never folds (the locale set while it renders)."""
    env = render.make_environment([tmp_path / "plain"])
    (tmp_path / "plain").mkdir(exist_ok=True)
    token = render._LOCALE.set(locale)
    try:
        return env.from_string(source).render(items=["a", "b"])
    finally:
        render._LOCALE.reset(token)


@pytest.mark.parametrize(
    "source",
    [
        '{{ t("Timeline") }}|<a title="{{ t(\'Timeline\') }}">{{ t("Map") }}</a>',
        '{{ t("{n} items", n=3) }} {{ t("Untranslated text") }}',
        "{% for t in items %}{{ t }}{% endfor %} {{ items | length }}",
        '{% set t = link %}{{ t("Map") }}',
        '{% macro m(t) %}{{ t("Map") }}{% endmacro %}{{ m(link) }}',
        '{% for t in [link] %}{{ t("Map") }}{% endfor %}',
        '{{ _("Timeline") }} {{ gettext("Map") }}',
        '{{ link(urls.home()) }} {% for i in items %}{{ link(urls.year(1983)) }}{{ lang_attr("en") }}{% endfor %}',
        '{{ tn("{n} event", "{n} events", 2) }}',
    ],
)
def test_folded_templates_render_as_plain_jinja_does(tmp_path: Path, source: str) -> None:
    folded = _render(tmp_path, source)
    token = render._CURRENT_PAGE.set("es/years/1983/")
    try:
        plain = _unfolded(tmp_path, source)
    finally:
        render._CURRENT_PAGE.reset(token)
    assert folded == plain


def test_a_folded_translation_is_escaped(tmp_path: Path) -> None:
    out = _render(tmp_path, '<p title="{{ t("Timeline") }}">{{ t("Timeline") }}</p>')
    assert out == (
        '<p title="Cronología &lt;línea&gt; &amp; &#34;tiempo&#34;">Cronología &lt;línea&gt; &amp; &#34;tiempo&#34;</p>'
    )


def test_each_language_compiles_its_own_strings(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{{ t("Map") }}', encoding="utf-8")
    env = render.make_environment([tmp_path])
    english = Locale("en", True, "en", Catalog("en", {}))
    pages = [Page(url, "page.html", {}, "T", locale=loc) for url, loc in (("", english), ("es/", SPANISH))] * 2
    assert [render.render_page(env, p) for p in pages] == ["Map", "Mapa", "Map", "Mapa"]


def test_a_changed_catalog_is_not_served_from_the_old_compilation(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{{ t("Map") }}', encoding="utf-8")
    env = render.make_environment([tmp_path])
    changed = Locale("es", False, "es_PE", Catalog("es", {"Map": "Plano"}))
    first = render.render_page(env, Page("es/", "page.html", {}, "T", locale=SPANISH))
    second = render.render_page(env, Page("es/", "page.html", {}, "T", locale=changed))
    assert (first, second) == ("Mapa", "Plano")


class _Thing:
    """A model-like object whose methods templates call."""

    def __init__(self, year: int) -> None:
        self.year = year

    def label(self, suffix: str = "") -> str:
        return f"<{self.year}>{suffix}"

    @jinja2.pass_context
    def from_context(self, context: jinja2.runtime.Context) -> str:
        return str(context.get("marker"))

    def stops(self) -> str:
        raise StopIteration


def test_methods_are_called_as_jinja_calls_them(tmp_path: Path) -> None:
    """The direct call of plain methods: the same text, keyword arguments and all, inside and outside loops;
    a method that asks for the context still gets it, and StopIteration is still an undefined value."""
    source = (
        "{% set marker = 'm' %}{{ thing.label() }}{{ thing.label(suffix='!') }}"
        "{% for x in [thing] %}{{ x.label('?') }}{{ x.from_context() }}{% endfor %}"
        "{{ thing.from_context() }}[{{ thing.stops() is undefined }}]"
    )
    (tmp_path / "page.html").write_text(source, encoding="utf-8")
    env = render.make_environment([tmp_path])
    page = Page("es/", "page.html", {"thing": _Thing(1983)}, "T", locale=SPANISH)
    ours = [render.render_page(env, page) for _ in range(2)]  # the second time, plain methods are called directly
    plain = jinja2.Environment(autoescape=True).from_string(source).render(thing=_Thing(1983))
    assert ours == [plain, plain] and plain == "&lt;1983&gt;&lt;1983&gt;!&lt;1983&gt;?mm[True]"


def test_plain_functions_and_macros_are_called_without_the_context_once_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "{% macro m(x) %}<{{ x }}>{% endmacro %}{% for i in items %}{{ link(urls.year(1983)) }}{{ m(i) }}"
        "{% call memo(i) %}{{ i }}{% endcall %}{{ thing.label() }}{{ thing.from_context() }}{% endfor %}"
    )
    (tmp_path / "page.html").write_text(source, encoding="utf-8")
    env = render.make_environment([tmp_path])
    page = Page("es/", "page.html", {"items": ["a", "b"], "thing": _Thing(1983), "marker": "m"}, "T", locale=SPANISH)
    first = render.render_page(env, page)
    through: list[str] = []
    call = render._Context.call

    def counted(self: jinja2.runtime.Context, obj: object, *args: object, **kwargs: object) -> object:
        through.append(getattr(obj, "__name__", type(obj).__name__))
        return call(self, obj, *args, **kwargs)

    monkeypatch.setattr(render._Context, "call", counted)
    assert render.render_page(env, page) == first == "years/1983/<a>a&lt;1983&gt;myears/1983/<b>b&lt;1983&gt;m"
    assert through == ["from_context", "from_context"]  # it asks for the context: Jinja's call gives it


@dataclass
class _Dated:
    date: _Thing
    slug: str


@given(st.lists(st.tuples(st.integers(1900, 2030), st.text(max_size=3)), max_size=40))
def test_by_year_groups_as_jinjas_groupby_does(items: list[tuple[int, str]]) -> None:
    events = [_Dated(_Thing(year), slug) for year, slug in items]
    ours = render._by_year(events)
    grouped = jinja2.Environment().filters["groupby"]
    expected = [(g.grouper, g.list) for g in grouped(jinja2.Environment(), events, "date.year")]
    assert ours == expected


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Shown:
    def __str__(self) -> str:
        return "<shown & 'quoted'>"


@given(st.text(max_size=30))
def test_output_is_escaped_as_jinja_escapes_it(text: str) -> None:
    """`{{ value }}` writes escaped text without a Markup per value: the page is the same as Jinja's, in the
    page, in a macro, a call block, a `set` block and a filter block."""
    source = (
        "{{ v }}|{% for x in values %}{{ x }};{% endfor %}|{% macro m(y) %}<{{ y }}>{% endmacro %}{{ m(v) }}"
        "{{ m(values[3]) }}|{% set block %}{{ v }}{{ values[4] }}{% endset %}{{ block }}|"
        "{% filter upper %}{{ v }}{% endfilter %}|{% call memo(v) %}{{ v }}{% endcall %}"
    )
    values = {"v": text, "values": [text, 3, 2.5, Markup("<i>kept</i>"), _Html(), _Shown(), None, True]}
    env = render.make_environment([ROOT_TEMPLATES])
    ours = env.from_string(source).render(**values)
    plain_env = jinja2.Environment(autoescape=True)
    plain_env.globals["memo"] = lambda *keys, caller: caller()
    assert ours == plain_env.from_string(source).render(**values)
