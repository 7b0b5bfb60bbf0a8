"""Pages to HTML with Jinja: strict undefined, autoescaping, relative links."""

from __future__ import annotations

import hashlib
import io
import itertools
import marshal
import os
import types
from collections.abc import Callable, Iterable, MutableMapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.compiler
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from . import hosts, urls
from .dates import PartialDate
from .errors import Problem, TemplateProblem, display_path
from .fingerprint import Unfingerprintable, sealed
from .i18n import Catalog, load_catalog
from .locales import Locale
from .model import Event, SiteConfig
from .pages import Page

_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}


def environment_for(templates: list[Path]) -> jinja2.Environment:
    """The environment for these folders, kept for the process: a rebuild (serve) compiles again only the
    templates whose files changed since the last build. Within a build they are taken as they are: Jinja's
    own check, a stat of every template a page uses for every page, is turned off (auto_reload)."""
    key = tuple(str(t.resolve()) for t in templates)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = _ENVIRONMENTS[key] = make_environment(templates)
    else:
        for each in (env, *env.__dict__.get("_overlays", {}).values()):
            for name, template in list(each.cache.items()) if each.cache is not None else ():
                if not template.is_up_to_date:
                    del each.cache[name]
    return env


@lru_cache(maxsize=4096)
def _asks_nothing(function: object) -> bool:
    """Whether Jinja's Context.call would call this function (or method's function) as it is: plain Python,
    asking for no context (gettext's, with newstyle, does). Jinja's own check, two attribute lookups that
    fail and raise on every call, was a fifth of the time of a list of thousands of events (`e.date.iso()`)."""
    return type(function) is types.FunctionType and not hasattr(function, "jinja_pass_arg")


# Functions that templates call as they are (see _asks_nothing), by id, each kept alive by its entry so that its id
# stays its own: compiled templates call these, and macros, without going through Context.call (_CodeGenerator).
_DIRECT: dict[int, Any] = {}
_DIRECT_MOST = 4096


class _Context(jinja2.runtime.Context):
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        kind = type(__obj)
        function = __obj if kind is types.FunctionType else __obj.__func__ if kind is types.MethodType else None
        if function is None or not _asks_nothing(function):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        try:
            result = __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's call answers it (and never called directly: it may do so again)
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )
        if len(_DIRECT) < _DIRECT_MOST:
            _DIRECT[id(function)] = function
        return result


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code, but a call of a macro or of a function known to ask for nothing (one that went through
    `_Context.call` once) is made directly: Context.call, a Python call with its checks around every call a
    template makes (some seventy an event page, several an item of a list), was a tenth of rendering.

    Any other callee (a function that wants the context, an undefined name, a builtin) still goes through
    Context.call, which is also what decides that a function asks for nothing. Both branches use one text of
    the arguments, so nested calls do not multiply the code."""

    @jinja2.compiler.optimizeconst
    def visit_Call(self, node: nodes.Call, frame: jinja2.compiler.Frame, forward_caller: bool = False) -> None:
        if self.environment.is_async or self.environment.sandboxed:
            super().visit_Call(node, frame, forward_caller)
            return
        self.write("(")  # flushes any pending line break before the arguments are captured
        stream, self.stream = self.stream, io.StringIO()
        try:
            self.visit(node.node, frame)
            callee = self.stream.getvalue()
            self.stream = io.StringIO()
            self.signature(node, frame, {"caller": "caller"} if forward_caller else None)
            arguments = self.stream.getvalue()
        finally:
            self.stream = stream
        context_only = "".join(
            f", {name}={name}"
            for name, present in (("_loop_vars", frame.loop_frame), ("_block_vars", frame.block_frame))
            if present
        )
        direct = arguments[2:] if arguments.startswith(", ") else arguments
        self.write(
            f"__qc({direct}) if (__qc := {callee}).__class__ is Macro or id(getattr(__qc, '__func__', __qc)) "
            f"in environment.quipu_direct else context.call(__qc{arguments}{context_only}))"
        )

    def _output_child_pre(
        self, node: nodes.Expr, frame: jinja2.compiler.Frame, finalize: jinja2.compiler.CodeGenerator._FinalizeInfo
    ) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None:
            self.write("environment.quipu_output(")  # closed by Jinja's _output_child_post
            return
        super()._output_child_pre(node, frame, finalize)


try:
    from markupsafe import _escape_inner as _escape_text  # type: ignore[attr-defined]  # escaping, no wrapper
except ImportError:  # pragma: no cover - another markupsafe: the same text, through its public function

    def _escape_text(text: str, /) -> str:
        return str.__str__(markupsafe_escape(text))


def _output(value: Any) -> str:
    """What an autoescaped `{{ value }}` writes: markupsafe.escape's text. Output pieces are only joined into
    the page (or a macro's text, which Jinja marks safe as a whole), so the Markup that escape wraps around
    each, two Python calls for every value a page shows, was made for nothing: 7% of a clean build."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_text(str(value))


class _Environment(jinja2.Environment):
    """Jinja's environment, with `t("literal")` resolved when a template compiles for a language.

    `t` with literal arguments is the most called function of every page (some fifty calls each);
    each language's overlay (see `localized`) compiles the templates with those calls replaced by
    their translation, which Jinja then escapes and joins with the text around it once.
    """

    folding: Locale | None = None
    context_class = _Context
    code_generator_class = _CodeGenerator
    quipu_direct = _DIRECT
    quipu_output = staticmethod(_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict, not Jinja's ChainMap over the environment's: each page's
        context copies them, and each `{% from ... import %}` compares its names with them, which through a
        ChainMap took 60 of the 480 us an event page took to render. make_environment sets the globals once,
        before any template is loaded, so the copy holds the same names."""
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for block in tree.find_all(nodes.CallBlock):
            if isinstance(block.call.node, nodes.Name) and block.call.node.name == "memo":
                _check_memo(block, set(self.globals), name, filename)
                # Which block this is, for the digest its output is kept under: the template's source and line.
                where = hashlib.blake2b(f"{name}\0{source}".encode(), digest_size=16).hexdigest()
                block.call.kwargs.append(nodes.Keyword("_block", nodes.Const(f"{where}:{block.lineno}")))
        if self.folding is not None and not _rebinds_t(tree):
            tree = _FoldTranslations(self.folding).visit(tree)
        return tree


def _check_memo(block: nodes.CallBlock, known: set[str], name: str | None, filename: str | None) -> None:
    """Refuse a `{% call memo(...) %}` block whose body reads a variable that is not one of its keys: what it
    shows must follow from its keys, the page's language and its links, or a kept copy could be wrong."""
    keys = {a.name for a in block.call.args if isinstance(a, nodes.Name)}
    if block.call.kwargs or block.call.dyn_args or block.call.dyn_kwargs or block.args:
        raise jinja2.TemplateSyntaxError(
            "memo takes its keys as plain arguments: {% call memo(e, places) %}", block.lineno, name, filename
        )

    def refuse(node: nodes.Node, why: str) -> None:
        raise jinja2.TemplateSyntaxError(why, node.lineno, name, filename)

    def walk(node: nodes.Node, bound: set[str]) -> None:
        if isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name not in bound and node.name not in known:
                refuse(
                    node,
                    f"the memo block reads '{node.name}', which is not one of its keys; pass it as a key "
                    f"(call memo(..., {node.name})) or set it inside the block",
                )
            if node.ctx in ("store", "param"):
                bound.add(node.name)
            return
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends | nodes.Macro):
            refuse(node, "a memo block cannot include, import or define templates or macros; keep it to its keys")
        if isinstance(node, nodes.ContextReference | nodes.DerivedContextReference | nodes.InternalName):
            refuse(node, "a memo block cannot read the template's context; pass what it shows as keys")
        # Names bound in a loop or a `with` stay there; after an `if`, only those bound on every branch count.
        if isinstance(node, nodes.For):
            walk(node.iter, bound)
            inner = bound | {"loop"}
            for part in (node.target, *([node.test] if node.test else ()), *node.body):
                walk(part, inner)
            for part in node.else_:
                walk(part, set(bound))
            return
        if isinstance(node, nodes.With):
            for value in node.values:
                walk(value, bound)
            inner = set(bound)
            for part in (*node.targets, *node.body):
                walk(part, inner)
            return
        if isinstance(node, nodes.If):
            walk(node.test, bound)
            outcomes = []
            for test, body in [(None, node.body), *((alt.test, alt.body) for alt in node.elif_), (None, node.else_)]:
                branch = set(bound)
                for part in ([test] if test is not None else []) + list(body):
                    walk(part, branch)
                outcomes.append(branch)
            bound |= set.intersection(*outcomes)
            return
        if isinstance(node, nodes.Assign):  # what is assigned is read before the name is bound
            walk(node.node, bound)
            walk(node.target, bound)
            return
        if isinstance(node, nodes.AssignBlock):
            for part in (*node.body, *([node.filter] if node.filter else ())):
                walk(part, bound)
            walk(node.target, bound)
            return
        for child in node.iter_child_nodes():
            walk(child, bound)

    bound = set(keys)
    for part in block.body:
        walk(part, bound)


def _rebinds_t(tree: nodes.Template) -> bool:
    """Whether the template gives the name `t` another meaning (a variable, loop or macro argument, import)."""
    if any(n.name == "t" and n.ctx in ("store", "param") for n in tree.find_all(nodes.Name)):
        return True
    for imported in tree.find_all(nodes.FromImport):
        if any((n if isinstance(n, str) else n[-1]) == "t" for n in imported.names):
            return True
    return any(i.target == "t" for i in tree.find_all(nodes.Import))


class _FoldTranslations(NodeTransformer):
    def __init__(self, locale: Locale) -> None:
        self.locale = locale

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        visited = self.generic_visit(node)
        if not isinstance(visited, nodes.Call):
            return visited
        call = visited
        if not (
            isinstance(call.node, nodes.Name)
            and call.node.name == "t"
            and call.node.ctx == "load"
            and call.dyn_args is None
            and call.dyn_kwargs is None
            and len(call.args) == 1
        ):
            return call
        text, values = call.args[0], [(k.key, k.value) for k in call.kwargs]
        if not isinstance(text, nodes.Const) or not isinstance(text.value, str):
            return call
        if not all(isinstance(value, nodes.Const) for _, value in values):
            return call
        try:
            translated = self.locale.t(text.value, **{key: value.value for key, value in values})  # type: ignore[attr-defined]
        except (KeyError, IndexError, ValueError):  # a bad placeholder: left for the render to report
            return call
        return nodes.Const(translated, lineno=call.lineno)


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept across builds (in .cache/quipu/templates/), so a build after an edit does not
    parse and compile every template again.

    Each file is keyed by the tool, the template's name and file, and the language its `t()` calls were
    folded for (with that catalog's fingerprint), and holds the checksum of the source it was compiled
    from: a changed template, catalog or tool is compiled again. A damaged or foreign file is ignored (it
    is not unpickled, only read back as marshalled code after its header matched) and written again.
    """

    MAGIC = b"quipu-template-1\n"

    def __init__(self, folder: Path, tool: str, read: bool = True) -> None:
        self.folder = folder
        self.tool = tool
        self.read = read  # False: compile everything, and keep what was compiled (build --clean)

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        folding = getattr(environment, "folding", None)
        where = f"{folding.code}\0{folding.catalog.fingerprint}" if folding is not None else ""
        key = hashlib.blake2b(f"{self.tool}\0{where}\0{name}\0{filename}".encode(), digest_size=16).hexdigest()
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def _header(self, bucket: jinja2.bccache.Bucket) -> bytes:
        return self.MAGIC + bucket.checksum.encode("ascii") + b"\n"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not self.read:
            return
        try:
            data = (self.folder / f"{bucket.key}.code").read_bytes()
        except OSError:
            return
        header = self._header(bucket)
        if data.startswith(header):
            try:
                bucket.code = marshal.loads(data[len(header) :])
            except (EOFError, ValueError, TypeError):
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        target = self.folder / f"{bucket.key}.code"
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(self._header(bucket) + marshal.dumps(bucket.code))
            os.replace(temporary, target)  # a concurrent build reads the old file or the new one, never half
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written is only slower


def use_template_cache(env: jinja2.Environment, folder: Path, tool: str, read: bool = True) -> None:
    """Keep compiled templates in `folder`, and with `read`, use those compiled by an earlier build."""
    env.bytecode_cache = TemplateCache(folder, tool, read)
    for overlay in env.__dict__.get("_overlays", {}).values():
        overlay.bytecode_cache = env.bytecode_cache


def localized(env: jinja2.Environment, locale: Locale) -> jinja2.Environment:
    """The environment that compiles templates for one language (kept per catalog, so serve reuses it)."""
    if not isinstance(env, _Environment):
        return env
    overlays: dict[tuple[str, str], jinja2.Environment] = env.__dict__.setdefault("_overlays", {})
    key = (locale.code, locale.catalog.fingerprint)
    if key not in overlays:
        overlay = env.overlay(cache_size=400)
        overlay.__dict__.pop("_overlays", None)
        assert isinstance(overlay, _Environment)
        overlay.folding = locale
        overlays[key] = overlay
    return overlays[key]


def make_environment(templates: list[Path]) -> jinja2.Environment:
    """One environment for every language: strings and formats come from the page's Locale.

    `templates` are searched in order, so a project's file overrides the theme's of the same name.
    """
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(t) for t in templates]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # see environment_for
    )
    # {% trans %} blocks and _()/ngettext() work too, from the same catalogs as t() and tn().
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: _current().catalog.translations.gettext(message),
        ngettext=lambda one, many, n: _current().catalog.translations.ngettext(one, many, n),
        newstyle=True,
    )
    env.globals["urls"] = urls
    env.globals["link"] = _link
    env.globals["href"] = _href
    env.globals["asset"] = _asset
    env.globals["lang_attr"] = _lang_attr
    env.globals["memo"] = _memo
    env.globals["t"] = lambda text, **values: _current().t(text, **values)
    env.globals["tn"] = lambda one, many, n, shown=None, **values: _current().tn(one, many, n, shown, **values)
    env.filters["num"] = lambda n: _current().number(n)
    env.filters["host"] = hosts.host_of
    env.filters["human"] = lambda d: _current().date(d)
    env.filters["human_day"] = lambda d: _current().date(PartialDate(d.year, d.month, d.day))
    env.filters["num_range"] = lambda pair: _current().num_range(*pair)
    env.filters["by_year"] = _by_year
    return env


def load_locales(templates: list[Path], site: SiteConfig) -> list[Locale]:
    """The site's languages as Locales, the default first, each with its interface catalog."""
    return [
        Locale(code, i == 0, site.formats.get(code, code.replace("-", "_")), load_catalog(templates, code))
        for i, code in enumerate(site.languages)
    ]


# The page being rendered and its locale. Context variables (not Jinja's context) let macros
# be imported without context, so Jinja caches them instead of re-running them per page.
_CURRENT_PAGE: ContextVar[str] = ContextVar("current_page", default="")
_ENGLISH = Locale("en", True, "en", Catalog("en", {}))  # outside a page render (tests, tools)
_LOCALE: ContextVar[Locale | None] = ContextVar("locale", default=None)


def _year_of(event: Event) -> int:
    return event.date.year


def _by_year(events: Iterable[Event]) -> list[tuple[int, list[Event]]]:
    """Events grouped by year, in the order and shape of `groupby("date.year")` (sorted by year, stably):
    Jinja's looks up each part of the path through the environment, a tenth of a long list's time."""
    ordered = sorted(events, key=_year_of)
    return [(year, list(items)) for year, items in itertools.groupby(ordered, key=_year_of)]


def _current() -> Locale:
    return _LOCALE.get() or _ENGLISH


def _link(to_url: str) -> str:
    """Relative link from the page being rendered to a site URL, in the page's language."""
    return urls.relative(_CURRENT_PAGE.get(), urls.localized(to_url, _current().prefix))


def _href(to_url: str) -> str:
    """Relative link to a URL that already says its language (the language switcher's)."""
    return urls.relative(_CURRENT_PAGE.get(), to_url)


_NO_ATTRIBUTE = Markup("")


@lru_cache(maxsize=64)
def _lang_markup(code: str) -> Markup:
    return Markup(' lang="{}"').format(code)


def _lang_attr(code: str | None) -> Markup:
    """` lang="en"` for text in another language than the page's, else nothing (called often: kept cheap)."""
    if code and code != _current().code:
        return _lang_markup(code)
    return _NO_ATTRIBUTE


def _asset(name: str) -> str:
    return urls.relative(_CURRENT_PAGE.get(), urls.asset(name))


class PageBlocks:
    """The `{% call memo(keys...) %}` blocks of one page render: each block's output is looked up, by a digest
    of the block (its template's source and line), the page's language and its keys, in the page's last
    rendering (`previous`, when a build kept where its blocks were: quipu.blocks), and rendered only if it is
    not there. A block may read nothing but its keys and the site-wide functions and filters (the template
    check makes sure), and links are relative to the page, which is the same page, so the kept text is what
    rendering would give: a long list re-rendered after a one-event edit copies all its other items.

    Each block made at the top level is recorded, so that `spans` can tell where each one is in the page's
    bytes for the next build: as its text while the page has fewer than `many` blocks (most pages, which are
    not kept), then by the start of its bytes, their length and a digest (at 20,000 events, the text of a
    list's items is tens of MB). Keys are digested only for a page that has `many` blocks, or to look one up."""

    def __init__(
        self, digest: Callable[[Any], Any], previous: Callable[[bytes], memoryview | None] | None = None, many: int = 0
    ) -> None:
        self.digest = digest
        self.previous = previous
        self.many = many
        self.made: list[tuple[Any, ...]] = []
        self.copied = 0
        self._depth = 0
        self._where: bytes | None = None

    def key(self, block: str, keys: tuple[Any, ...]) -> bytes | None:
        try:
            if self._where is None:
                self._where = sealed(b"memo-locale", [self.digest(_current())])
            digest = self.digest
            # A list key (an item's places) is taken as its items' digests, which last the build, instead of
            # being digested whole each time: a country's page has one such list for each of its events.
            parts = [("list", [digest(x) for x in k]) if type(k) is list else digest(k) for k in keys]
            return sealed(b"memo", [block, self._where, parts])
        except Unfingerprintable:
            return None

    def block(self, block: str, keys: tuple[Any, ...], caller: Callable[[], str]) -> str:
        if self._depth:  # inside another block: only the outermost is kept
            return caller()
        if self.previous is not None:
            key = self.key(block, keys)
            found = self.previous(key) if key is not None else None
            if found is not None:
                try:
                    copy = Markup(str(found, "utf-8"))
                except UnicodeDecodeError:  # not where a block can be: render it
                    copy = None
                if copy is not None:
                    self.copied += 1
                    self._add((key, bytes(found[:64]), len(found), found))
                    return copy
        else:
            key = None
        self._depth += 1
        try:
            html = caller()
        finally:
            self._depth -= 1
        # Recorded as its text while the page is short (digested only if the page turns out long).
        self._add((block, keys, html) if len(self.made) < self.many else self._digested(block, keys, html, key))
        return html

    def _add(self, made: tuple[Any, ...]) -> None:
        self.made.append(made)
        if len(self.made) == self.many:  # long from now on: what was recorded as text is digested
            self.made = [each if len(each) == 4 else self._digested(*each) for each in self.made]

    def _digested(self, block: str, keys: tuple[Any, ...], html: str, key: bytes | None = None) -> tuple[Any, ...]:
        data = html.encode("utf-8")
        if key is None:
            key = self.key(block, keys)
        return (key, data[:64], len(data), hashlib.blake2b(data, digest_size=8).digest())

    def spans(self, page: bytes) -> list[tuple[bytes, int, int]]:
        """Where each recorded block is in the page's bytes (in order: blocks are written as they are made)."""
        found: list[tuple[bytes, int, int]] = []
        at = 0
        view = memoryview(page)
        for made in self.made if len(self.made) >= self.many else ():
            key, head, length, check = made
            if not length:
                continue
            start, tries = page.find(head, at), 0
            while start >= 0 and not _is_block(view, start, length, check):
                tries += 1
                start = page.find(head, start + 1) if tries < 8 else -1
            if start < 0:  # not written where it was made (kept in a variable, shown later): not kept
                continue
            if key is not None:
                found.append((key, start, length))
            at = start + length
        return found


def _is_block(page: memoryview, start: int, length: int, check: bytes | memoryview) -> bool:
    """Whether the block is at `start`: its bytes (a copied block's) or their digest (a rendered one's)."""
    if isinstance(check, memoryview):
        return page[start : start + length] == check
    return hashlib.blake2b(page[start : start + length], digest_size=8).digest() == check


_BLOCKS: ContextVar[PageBlocks | None] = ContextVar("blocks", default=None)


def _memo(*keys: Any, caller: Any, _block: str = "") -> Any:
    """`{% call memo(e, places) %}...{% endcall %}` (see PageBlocks); outside a build's page render, it renders."""
    blocks = _BLOCKS.get()
    if blocks is None:
        return caller()
    return blocks.block(_block, keys, caller)


def render_page(
    env: jinja2.Environment, page: Page, values: dict[str, Any] | None = None, blocks: PageBlocks | None = None
) -> str:
    """One page's HTML (`values`: its context, when already made; `blocks`: where its memo blocks are looked up
    and recorded); template mistakes become a Problem naming the template line."""
    token = _CURRENT_PAGE.set(page.url)
    locale = page.locale or _current()
    locale_token = _LOCALE.set(locale)
    blocks_token = _BLOCKS.set(blocks)
    try:
        template = (localized(env, page.locale) if page.locale else env).get_template(page.template)
        return template.render(
            page_url=page.url,
            page_title=page.title,
            page_lang=page.lang,
            locale=locale,
            alternates=page.alternates,
            **(page.values() if values is None else values),
        )
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or page.template
        raise TemplateProblem(
            Problem(display_path(Path(path)), exc.lineno or 1, f"template error: {exc.message}")
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(
            Problem(
                f"templates/{page.template}", 1, f"template '{exc.name}' not found; create it in the templates folder"
            )
        ) from None
    except Exception as exc:  # noqa: BLE001 - any template runtime error is reported, not raised
        path, line = _template_position(exc, page.template)
        raise TemplateProblem(Problem(path, line, f"template error while rendering /{page.url}: {exc}")) from None
    finally:
        _CURRENT_PAGE.reset(token)
        _LOCALE.reset(locale_token)
        _BLOCKS.reset(blocks_token)


def _template_position(exc: BaseException, fallback: str) -> tuple[str, int]:
    tb = exc.__traceback__
    found = (f"templates/{fallback}", 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (display_path(Path(filename)), tb.tb_lineno)
        tb = tb.tb_next
    return found
