"""Render a parsed page to text the way a browser shows it, in one walk.

The page reader works on one string: the visible text of the page, one block
element per line, whitespace collapsed.  While walking the tree we record, for
every element, the half-open range of that string its text occupies, so any
subtree's text (a headline, an article body, a footer) is a slice, and sums
over subtrees (how much paragraph text, how much link text) are prefix-sum
look-ups instead of new walks.

What a browser does not show is left out: ``script``/``style``/``noscript``/
``template``, comments, and elements hidden inline (``display:none``,
``visibility:hidden``, the ``hidden`` attribute).  Hidden subtrees are
remembered so that tab panels and injected blocks can still be examined.

Inline scripts that write markup with ``document.write`` are a common way
Chinese CMS templates put a source line, a headline or the 党政机关 badge on
the page.  A deliberately tiny evaluator (string literals, variables,
concatenation, ``unescape``, simple ``if``/``else``) runs them, and the written
markup is rendered in place of the script, as a browser would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import lxml.html
from lxml import etree

from ..document import line_starts

SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "title", "head", "select", "option", "iframe",
    "object", "textarea", "svg", "math", "button", "map", "canvas", "video", "audio",
})
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "dl", "form",
    "nav", "aside", "main", "figure", "figcaption", "hr", "center", "tbody", "thead", "tfoot",
    "caption", "address", "fieldset", "legend", "details", "summary", "body", "html", "dialog",
})
# scripts that put identity marks into the page some other way than document.write
_MARK_HINT = re.compile(r"标识码|识别码|ICP|公网安备|公安备案|conac|jiucuo|找错")
_DOM_WRITE = re.compile(r"\.(?:innerHTML|innerText|textContent|outerHTML)\s*=|\.(?:html|append|prepend|after|before|replaceWith)\s*\(")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Whitespace as a browser collapses it (\s covers \u3000 and \xa0); zero-width characters vanish.
_WS = re.compile(r"\s+")
_ZW = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


_OFFSCREEN = re.compile(
    r"(?:left|top|right|bottom|margin-left|margin-top|text-indent)\s*:\s*-\s*(?:[5-9]\d{2}|\d{4,})(?:\.\d+)?\s*(?:px|em|pt)?",
    re.I,
)
_ZERO_SIZE = re.compile(r"(?:^|[;\s])(?:width|height)\s*:\s*0(?:px)?\s*(?:;|$|!)", re.I)
_FONT_ZERO = re.compile(r"font-size\s*:\s*0(?:px|pt|em)?\s*(?:;|$|!)", re.I)


def concealment(style: str) -> str | None:
    """How an inline style hides an element that still renders: off-screen or zero size (暗链 tricks)."""
    if _OFFSCREEN.search(style) and ("position" in style or "text-indent" in style or "margin" in style):
        return "off-screen"
    if _ZERO_SIZE.search(style) and "overflow" in style and "hidden" in style:
        return "zero-size"
    if _FONT_ZERO.search(style):
        return "zero-size"
    return None


def is_hidden_el(el: etree._Element) -> bool:
    """Hidden by its own inline style or the hidden attribute (what every browser honours)."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


@dataclass
class Rendered:
    """The visible text of a subtree plus where each element's text lies in it."""

    text: str
    spans: dict  # element -> (start, end)
    hidden_roots: list  # elements skipped because hidden inline
    written: list  # (script element, [fragment elements]) for document.write output
    scripts: list  # every <script> element met (inline or src), in order
    concealed: dict = field(default_factory=dict)  # element -> "off-screen" | "zero-size" (visible to the renderer)

    def span_text(self, el: etree._Element) -> str:
        span = self.spans.get(el)
        if span is None:
            return ""
        return self.text[span[0] : span[1]].strip()

    def line_starts(self) -> list[int]:
        return line_starts(self.text)


_HIDDEN_HINT = ("none", "hidden", "NONE", "Hidden", "HIDDEN", "None")


class _Builder:
    __slots__ = ("parts", "n", "last", "spans", "hidden_roots", "written", "scripts", "js", "include_hidden", "concealed")

    def __init__(self, js: "MiniJS | None", include_hidden: bool) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.last = "\n"
        self.spans: dict = {}
        self.hidden_roots: list = []
        self.written: list = []
        self.scripts: list = []
        self.js = js
        self.include_hidden = include_hidden
        self.concealed: dict = {}

    def add(self, s: str) -> None:
        if "\u200b" in s or "\ufeff" in s or "\u00ad" in s or "\u200c" in s or "\u200d" in s or "\u2060" in s:
            s = _ZW.sub("", s)
        s = _WS.sub(" ", s)
        if not s:
            return
        if s[0] == " " and self.last in " \n":
            s = s[1:]
            if not s:
                return
        self.parts.append(s)
        self.n += len(s)
        self.last = s[-1]

    def newline(self) -> None:
        if self.last == "\n":
            return
        if self.last == " ":
            p = self.parts[-1]
            self.parts[-1] = p[:-1]
            self.n -= 1
        self.parts.append("\n")
        self.n += 1
        self.last = "\n"

    def walk(self, root: etree._Element) -> None:
        # Iterative, not recursive: a page of 20,000 nested <div>s must render like any other
        # (a RecursionError used to drop the page, and whatever it hid, from the check).
        spans = self.spans
        add = self.add
        stack: list = [root]
        pop = stack.pop
        push = stack.append
        while stack:
            el = pop()
            cls = el.__class__
            if cls is tuple:  # (element, start, block): leave an element
                done, start, block = el
                if block and self.last != "\n":
                    self.newline()
                spans[done] = (start, self.n)
                continue
            if isinstance(el, str):  # the tail text after a child
                add(el)
                continue
            tag = el.tag
            if tag.__class__ is not str:  # comment, processing instruction, entity
                continue
            if tag in SKIP_TAGS or tag[0] == "{":
                if not self.include_hidden and tag in ("script", "iframe", "object") and is_hidden_el(el):
                    self.hidden_roots.append(el)
                    continue
                spans[el] = (self.n, self.n)  # visible position, no text
                if tag == "script":
                    self.scripts.append(el)
                    if self.js is not None:
                        self._script(el)
                continue
            if not self.include_hidden:
                get = el.get
                if get("hidden") is not None:
                    self.hidden_roots.append(el)
                    spans[el] = (self.n, self.n)
                    continue
                style = get("style")
                if style:
                    if any(h in style for h in _HIDDEN_HINT) and _HIDDEN_STYLE.search(style):
                        self.hidden_roots.append(el)
                        spans[el] = (self.n, self.n)
                        continue
                    if "-" in style or "0" in style:
                        how = concealment(style)
                        if how:
                            self.concealed[el] = how
            block = tag in BLOCK_TAGS
            if block:
                if self.last != "\n":
                    self.newline()
                if tag == "br":
                    spans[el] = (self.n, self.n)
                    continue
            start = self.n
            text = el.text
            if text:
                add(text)
            push((el, start, block))
            children = list(el)
            for child in reversed(children):
                tail = child.tail
                if tail:
                    push(tail)
                push(child)

    def _script(self, el: etree._Element) -> None:
        code = el.text
        if not code or el.get("src"):
            return
        dom = bool(_MARK_HINT.search(code)) and bool(_DOM_WRITE.search(code))
        if "document.write" not in code and not dom:
            return
        html = self.js.run(code, dom_writes=dom)  # type: ignore[union-attr]
        if not html or not html.strip():
            return
        try:
            frags = lxml.html.fragments_fromstring(html)
        except (etree.ParserError, ValueError, TypeError):
            return
        elements = []
        for frag in frags:
            if isinstance(frag, str):
                self.add(frag)
                continue
            elements.append(frag)
            self.walk(frag)
            if frag.tail:
                self.add(frag.tail)
        if elements:
            self.written.append((el, elements))


def render(root: etree._Element, *, js: "MiniJS | None" = None, include_hidden: bool = False) -> Rendered:
    """Visible text of ``root`` with element spans. ``js`` runs inline document.write scripts."""
    b = _Builder(js, include_hidden)
    b.walk(root)
    text = "".join(b.parts)
    return Rendered(text, b.spans, b.hidden_roots, b.written, b.scripts, b.concealed)


# --------------------------------------------------------------------------------------------
# A tiny evaluator for the document.write idioms of CMS templates. It never executes anything
# it does not understand: an unknown expression makes the whole write produce nothing.

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`)
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)
      | (?P<op>===|!==|==|!=|&&|\|\||[-+*/%(){}\[\];,=!<>?:.])
      | (?P<other>\S)
    )""",
    re.X | re.S,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "", "'": "'", '"': '"', "\\": "\\", "/": "/", "`": "`"}
_UNKNOWN = object()


def _unquote_js(lit: str) -> str:
    body = lit[1:-1]
    if "\\" not in body:
        return body

    def esc(m: re.Match) -> str:
        s = m.group(1)
        if s[0] == "u" and len(s) == 5:
            return chr(int(s[1:], 16))
        if s[0] == "x" and len(s) == 3:
            return chr(int(s[1:], 16))
        return _ESCAPES.get(s[0], s[0])

    return re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", esc, body, flags=re.S)


class MiniJS:
    """Global string variables across a page's inline scripts, and what document.write writes."""

    MAX_TOKENS = 4000

    def __init__(self) -> None:
        self.vars: dict[str, object] = {}
        self.dom_writes: list[str] = []

    def run(self, code: str, dom_writes: bool = False) -> str:
        """What the script writes with document.write; with ``dom_writes``, strings it puts into the
        page by ``x.innerHTML = …`` / ``$(…).html(…)`` are collected in :attr:`dom_writes`."""
        toks = []
        # stripped: a whitespace run with no token after it made each start rescan it (quadratic)
        for m in _TOKEN.finditer(code.strip()):
            kind = m.lastgroup
            toks.append((kind, m.group(kind)))
            if len(toks) > self.MAX_TOKENS:
                return ""
        out: list[str] = []
        try:
            self._block(toks, 0, len(toks), out)
            if dom_writes:
                self._dom_writes(toks)
        except (IndexError, ValueError, RecursionError):
            pass
        return "".join(out)

    _DOM_PROPS = ("innerHTML", "innerText", "textContent", "outerHTML")
    _DOM_CALLS = ("html", "append", "prepend", "text", "after", "before", "replaceWith")

    def _dom_writes(self, toks) -> None:
        n = len(toks)
        for i in range(n - 2):
            kind, val = toks[i]
            expr = None
            if kind == "name" and "." in val and val.rsplit(".", 1)[-1].strip() in self._DOM_PROPS and toks[i + 1] == ("op", "="):
                expr = (i + 2, self._skip_statement(toks, i + 2, n))
            elif (kind, val) == ("op", ".") and toks[i + 1][0] == "name" and toks[i + 1][1] in self._DOM_PROPS and toks[i + 2] == ("op", "="):
                expr = (i + 3, self._skip_statement(toks, i + 3, n))
            elif (kind, val) == ("op", ".") and toks[i + 1][0] == "name" and toks[i + 1][1] in self._DOM_CALLS and toks[i + 2] == ("op", "("):
                close = self._match(toks, i + 2, "(", ")")
                expr = (i + 3, close + 1)
            if expr is None:
                continue
            a, b = expr
            if b - 1 >= a and toks[b - 1] in (("op", ";"), ("op", ")")):
                b -= 1
            v = self._expr(toks, a, b)
            if isinstance(v, str) and v.strip():
                self.dom_writes.append(v)

    # statements ---------------------------------------------------------------------------
    def _block(self, toks, i, end, out) -> int:
        while i < end:
            i = self._statement(toks, i, end, out)
        return i

    def _skip_statement(self, toks, i, end) -> int:
        depth = 0
        while i < end:
            kind, val = toks[i]
            if kind == "op":
                if val in "({[":
                    depth += 1
                elif val in ")}]":
                    depth -= 1
                    if depth < 0:
                        return i
                    if depth == 0 and val == "}":
                        return i + 1
                elif val == ";" and depth == 0:
                    return i + 1
            i += 1
        return i

    def _match(self, toks, i, open_: str, close: str) -> int:
        """Index of the token closing the bracket opened at i."""
        depth = 0
        while i < len(toks):
            kind, val = toks[i]
            if kind == "op":
                if val == open_:
                    depth += 1
                elif val == close:
                    depth -= 1
                    if depth == 0:
                        return i
            i += 1
        return len(toks)

    def _body(self, toks, i, end, out, run: bool) -> int:
        """A block or a single statement; executed only if ``run``."""
        if i < end and toks[i] == ("op", "{"):
            close = self._match(toks, i, "{", "}")
            if run:
                self._block(toks, i + 1, min(close, end), out)
            return close + 1
        if run:
            return self._statement(toks, i, end, out)
        return self._skip_statement(toks, i, end)

    def _statement(self, toks, i, end, out) -> int:
        kind, val = toks[i]
        if kind == "op" and val in ";}":
            return i + 1
        if kind == "op" and val == "{":
            return self._body(toks, i, end, out, True)
        if kind == "name":
            name = val.replace(" ", "")
            if name in ("var", "let", "const"):
                return self._declare(toks, i + 1, end)
            if name == "if":
                return self._if(toks, i, end, out)
            if name in ("document.write", "document.writeln") and i + 1 < end and toks[i + 1] == ("op", "("):
                close = self._match(toks, i + 1, "(", ")")
                args = self._split_args(toks, i + 2, close)
                vals = [self._expr(toks, a, b) for a, b in args]
                if vals and all(isinstance(v, str) for v in vals):
                    out.append("".join(vals))  # type: ignore[arg-type]
                    if name == "document.writeln":
                        out.append("\n")
                j = close + 1
                if j < end and toks[j] == ("op", ";"):
                    j += 1
                return j
            if name in ("function",):
                # skip the whole function definition
                j = i + 1
                while j < end and toks[j] != ("op", "{"):
                    j += 1
                return self._match(toks, j, "{", "}") + 1
            if i + 1 < end and toks[i + 1] == ("op", "=") and "." not in name:
                j = self._skip_statement(toks, i + 2, end)
                stop = j - 1 if j - 1 < end and toks[j - 1] == ("op", ";") else j
                self.vars[name] = self._expr(toks, i + 2, stop)
                return j
        return max(self._skip_statement(toks, i, end), i + 1)

    def _declare(self, toks, i, end) -> int:
        while i < end:
            kind, val = toks[i]
            if kind != "name":
                return self._skip_statement(toks, i, end)
            name = val
            j = i + 1
            if j < end and toks[j] == ("op", "="):
                k = j + 1
                depth = 0
                while k < end:
                    kk, vv = toks[k]
                    if kk == "op":
                        if vv in "([{":
                            depth += 1
                        elif vv in ")]}":
                            if depth == 0:
                                break
                            depth -= 1
                        elif depth == 0 and vv in ",;":
                            break
                    elif depth == 0 and kk in ("name", "str", "num") and k > j + 1 and toks[k - 1][0] in ("name", "str", "num"):
                        break  # a new statement on the next line without a semicolon
                    k += 1
                self.vars[name] = self._expr(toks, j + 1, k)
                j = k
            else:
                self.vars[name] = _UNKNOWN
            if j < end and toks[j] == ("op", ","):
                i = j + 1
                continue
            if j < end and toks[j] == ("op", ";"):
                return j + 1
            return j
        return i

    def _if(self, toks, i, end, out) -> int:
        if i + 1 >= end or toks[i + 1] != ("op", "("):
            return self._skip_statement(toks, i, end)
        close = self._match(toks, i + 1, "(", ")")
        cond = self._cond(toks, i + 2, close)
        j = close + 1
        taken = cond is True
        j = self._body(toks, j, end, out, taken)
        while j < end and toks[j] == ("name", "else"):
            j += 1
            if j < end and toks[j] == ("name", "if"):
                if cond is True or cond is None:
                    # skip the rest of the chain (or an unknown condition: run nothing)
                    j = self._skip_if_chain(toks, j, end)
                    return j
                if j + 1 >= end or toks[j + 1] != ("op", "("):
                    return j
                close = self._match(toks, j + 1, "(", ")")
                cond = self._cond(toks, j + 2, close)
                j = self._body(toks, close + 1, end, out, cond is True)
            else:
                j = self._body(toks, j, end, out, cond is False)
        return j

    def _skip_if_chain(self, toks, j, end) -> int:
        # at 'if'
        close = self._match(toks, j + 1, "(", ")")
        j = self._body(toks, close + 1, end, [], False)
        while j < end and toks[j] == ("name", "else"):
            j += 1
            if j < end and toks[j] == ("name", "if"):
                close = self._match(toks, j + 1, "(", ")")
                j = self._body(toks, close + 1, end, [], False)
            else:
                j = self._body(toks, j, end, [], False)
        return j

    def _cond(self, toks, a, b):
        """True / False when decidable from known strings, else None."""
        for op in ("!=", "!==", "==", "==="):
            for k in range(a, b):
                if toks[k] == ("op", op):
                    left, right = self._expr(toks, a, k), self._expr(toks, k + 1, b)
                    if isinstance(left, str) and isinstance(right, str):
                        return (left == right) ^ op.startswith("!")
                    return None
        if b - a == 1 and toks[a][0] == "name":
            v = self.vars.get(toks[a][1], _UNKNOWN)
            if isinstance(v, str):
                return bool(v)
        if b - a == 2 and toks[a] == ("op", "!") and toks[a + 1][0] == "name":
            v = self.vars.get(toks[a + 1][1], _UNKNOWN)
            if isinstance(v, str):
                return not v
        return None

    # expressions ----------------------------------------------------------------------------
    def _split_args(self, toks, a, b):
        args = []
        depth = 0
        start = a
        for k in range(a, b):
            kind, val = toks[k]
            if kind == "op":
                if val in "([{":
                    depth += 1
                elif val in ")]}":
                    depth -= 1
                elif val == "," and depth == 0:
                    args.append((start, k))
                    start = k + 1
        if start < b:
            args.append((start, b))
        return args

    def _expr(self, toks, a, b):
        """Concatenation of strings, numbers, known variables and unescape(...)."""
        if a >= b:
            return _UNKNOWN
        parts: list[str] = []
        k = a
        expect_term = True
        while k < b:
            kind, val = toks[k]
            if expect_term:
                if kind == "str":
                    parts.append(_unquote_js(val))
                    k += 1
                elif kind == "num":
                    parts.append(val)
                    k += 1
                elif kind == "op" and val == "(":
                    close = self._match(toks, k, "(", ")")
                    v = self._expr(toks, k + 1, close)
                    if not isinstance(v, str):
                        return _UNKNOWN
                    parts.append(v)
                    k = close + 1
                elif kind == "name" and val in ("unescape", "decodeURIComponent", "decodeURI") and k + 1 < b and toks[k + 1] == ("op", "("):
                    close = self._match(toks, k + 1, "(", ")")
                    v = self._expr(toks, k + 2, close)
                    if not isinstance(v, str):
                        return _UNKNOWN
                    parts.append(unquote(v))
                    k = close + 1
                elif kind == "name":
                    v = self.vars.get(val, _UNKNOWN)
                    if not isinstance(v, str):
                        return _UNKNOWN
                    parts.append(v)
                    k += 1
                else:
                    return _UNKNOWN
                expect_term = False
            else:
                if kind == "op" and val == "+":
                    expect_term = True
                    k += 1
                else:
                    return _UNKNOWN
        if expect_term:
            return _UNKNOWN
        return "".join(parts)
