"""Every link on a page, and the ones that look injected (暗链).

Hacked government pages carry gambling and porn links (research notes §6, rules
INJ-001…INJ-007): brand words such as 365bet / ManBetX / 万博 / 凯发 / 九游会 in link
text, titles or URLs, keyword strings stacked in ``<title>`` and meta tags, and blocks
of external links hidden from visitors (``display:none``, off-screen, zero size) but
not from search engines.  The terms live in ``dictionaries/injection/*.yaml``.

Two kinds of evidence, so that real clean pages produce none:

- a **term hit** (``gambling-term:365bet``, ``porn-term:…``, ``blackhat-term:…``) in a
  link's text, title or address, in the page title or meta tags, or in hidden text;
- a **hidden external block** (``hidden-external``): links to other sites inside an
  element hidden inline or pushed off-screen, when that block is not interactive UI
  (no script toggles it, it is not a share/login/browser-tip widget, its links are not
  government sites) and it reaches at least two foreign domains.

Anti-gambling news ("严厉打击跨境赌博") is not a hit: generic words need a
solicitation context and are skipped after 打击/整治/查处/… .
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urljoin

import yaml

from ..errors import DictionaryError
from ..paths import DICTIONARIES_DIR
from ..yamlfile import safe_load
from .hosts import host_of, is_gov_host, registrable_domain

if TYPE_CHECKING:  # pragma: no cover
    from .view import PageView

INJECTION_DIR = DICTIONARIES_DIR / "injection"

_SHARE = re.compile(
    r"share|sharer|bshare|jiathis|qzone|service\.weibo\.com|connect\.qq\.com|yixin\.im|"
    r"api\.addthis|baidu\.com/share|login|passport|reg\.|weixin|wechat|browser|download|"
    r"pc\.qq\.com|google\.cn/chrome|firefox|microsoft\.com|360\.cn|beian\.|miit\.gov",
    re.I,
)
_UI_WORDS = re.compile(r"分享|登录|注册|浏览器|下载|关闭|返回|更多|客户端|扫一扫|二维码|微信|微博")
_NEGATION = re.compile(r"(?:打击|整治|查处|取缔|防范|远离|拒绝|严禁|禁止|抵制|举报|涉嫌|非法|警惕|谨防|曝光|破获|侦破|涉)\S{0,4}$")
_NEGATION_AFTER = re.compile(r"^\S{0,3}(?:犯罪|案件?|违法|团伙|窝点|问题|专项|行为|活动)")


@dataclass
class PageLink:
    text: str
    href: str                # absolute when the page URL is known
    hidden: bool             # inside a permanently hidden element
    external: bool           # other registrable domain than the page
    why: str | None = None   # set when suspicious: e.g. "gambling-term:365bet", "hidden-external"

    def to_dict(self) -> dict:
        return {"text": self.text, "href": self.href, "hidden": self.hidden, "external": self.external, "why": self.why}


@dataclass
class Suspicion:
    """Injected content that is not a link: a hijacked title or meta tag, hidden text, junk tags."""

    where: str               # title | meta:keywords | hidden-text | markup
    text: str
    why: str

    def to_dict(self) -> dict:
        return {"where": self.where, "text": self.text, "why": self.why}


# --------------------------------------------------------------------------------------------
# Dictionaries

@dataclass
class TermRule:
    id: str
    category: str
    why: str
    pattern: re.Pattern
    literal: list[str]
    context: bool                 # generic word: needs a non-negated context
    corroborate: bool             # heuristic: reported only with another hit in the same text
    anchors: tuple[str, ...]      # lower-case words one of which every hit contains (cheap prefilter)
    scopes: frozenset[str]
    source: list[str]
    hit_examples: list[str] = field(default_factory=list)
    clean_examples: list[str] = field(default_factory=list)


@dataclass
class InjectionDictionary:
    rules: list[TermRule]
    junk_tags: list[TermRule]

    _anchor_re: dict = field(default_factory=dict, repr=False)

    def candidates(self, low: str, scope: str) -> list[TermRule]:
        """Rules of this scope whose anchor words occur in ``low`` (lower-cased text): one regex pass."""
        entry = self._anchor_re.get(scope)
        if entry is None:
            rules = [r for r in self.rules if scope in r.scopes and not r.corroborate]
            words = sorted({a for r in rules for a in r.anchors}, key=len, reverse=True)
            entry = (re.compile("|".join(map(re.escape, words))) if words else None, rules)
            self._anchor_re[scope] = entry
        pattern, rules = entry
        if pattern is None:
            return []
        seen = set(pattern.findall(low))
        if not seen:
            return []
        return [r for r in rules if any(a in seen for a in r.anchors)]

    def scan(self, text: str, scope: str) -> tuple[TermRule, str] | None:
        """The first rule hitting ``text`` in this scope, with the matched text."""
        if not text:
            return None
        for rule in self.candidates(text.lower(), scope):
            hit = rule_hit(rule, text)
            if hit:
                return rule, hit
        return None


def negated(text: str, start: int, end: int) -> bool:
    """Whether the words around ``text[start:end]`` report on it (打击…, …犯罪) rather than sell it."""
    return bool(_NEGATION.search(text[max(0, start - 8) : start]) or _NEGATION_AFTER.search(text[end : end + 6]))


def rule_hit(rule: TermRule, text: str) -> str | None:
    for m in rule.pattern.finditer(text):
        if rule.context and negated(text, m.start(), m.end()):
            continue
        return m.group(0)
    return None


def _compile_entry(entry: dict, where: str) -> tuple[re.Pattern, list[str]]:
    terms = entry.get("terms") or []
    pattern = entry.get("pattern")
    if not terms and not pattern:
        raise DictionaryError(f"{where}：条目需要 terms 或 pattern")
    parts = [re.escape(t) for t in sorted(terms, key=len, reverse=True)]
    if pattern:
        parts.append(f"(?:{pattern})")
    try:
        return re.compile("|".join(parts), re.I), list(terms)
    except re.error as exc:
        raise DictionaryError(f"{where}：正则表达式有误：{exc}") from None


def load_injection_dictionary(folder: Path = INJECTION_DIR) -> InjectionDictionary:
    rules: list[TermRule] = []
    junk: list[TermRule] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DictionaryError(f"{path.name}：YAML 格式有误：{exc}") from None
        category = data.get("category")
        why = data.get("why") or f"{category}-term"
        if not category:
            raise DictionaryError(f"{path.name}：缺少 category")
        default_scopes = data.get("scopes") or ["link", "title", "meta", "hidden"]
        for i, entry in enumerate(data.get("entries") or []):
            where = f"{path.name} entry {i + 1}"
            if not entry.get("id"):
                raise DictionaryError(f"{where}：缺少 id")
            if not entry.get("source"):
                raise DictionaryError(f"{where}：缺少 source（每个条目都要注明来源）")
            pattern, literal = _compile_entry(entry, where)
            anchors = tuple(a.lower() for a in (entry.get("anchors") or [])) + tuple(t.lower() for t in literal)
            if entry.get("pattern") and not entry.get("anchors"):
                raise DictionaryError(f"{where}：pattern 条目需要 anchors（每个命中都包含的词）")
            examples = entry.get("examples") or {}
            rule = TermRule(
                id=entry["id"], category=category, why=entry.get("why") or why, pattern=pattern,
                literal=literal, context=bool(entry.get("context", False)),
                corroborate=bool(entry.get("corroborate", False)), anchors=anchors,
                scopes=frozenset(entry.get("scopes") or default_scopes),
                source=list(entry["source"]) if isinstance(entry["source"], list) else [entry["source"]],
                hit_examples=list(examples.get("hit") or []), clean_examples=list(examples.get("clean") or []),
            )
            (junk if category == "junk-tag" else rules).append(rule)
    return InjectionDictionary(rules, junk)


@lru_cache(maxsize=1)
def injection_dictionary() -> InjectionDictionary:
    return load_injection_dictionary()


def link_text(a, view: "PageView | None" = None) -> str:
    span = view.rendered.spans.get(a) if view is not None else None
    if span is not None:
        text = " ".join(view.text[span[0] : span[1]].split())
    else:
        text = " ".join((a.text_content() or "").split())
    if not text:
        for img in a.iter("img"):
            text = (img.get("alt") or img.get("title") or "").strip()
            if text:
                break
    if not text:
        text = (a.get("title") or "").strip()
    return text


# --------------------------------------------------------------------------------------------

def _concealed_roots(view: "PageView") -> dict:
    """Elements hidden by inline style in ways that the renderer keeps (off-screen, zero size)."""
    roots = dict(view.rendered.concealed)
    for el in view.tree.iter("marquee"):
        w, h = el.get("width") or "", el.get("height") or ""
        if w.strip() in ("0", "1") or h.strip() in ("0", "1"):
            roots[el] = "zero-size"
    return roots


def _script_text(view: "PageView") -> str:
    parts = [s.text or "" for s in view.rendered.scripts]
    return "\n".join(parts)


def find_links(view: "PageView") -> tuple[list[PageLink], list[Suspicion]]:
    """All links (suspicious ones carry ``why``) and non-link injection evidence."""
    dic = injection_dictionary()
    base = view.base_url
    site = view.site_domain
    concealed = _concealed_roots(view)
    hidden_of: dict = {}
    for root in view.rendered.hidden_roots:
        for a in root.iter("a"):
            hidden_of.setdefault(a, root)
    for root in concealed:
        for a in root.iter("a"):
            hidden_of.setdefault(a, root)

    links: list[PageLink] = []
    by_root: dict = {}
    anchors = []
    texts = []
    for a in view.iter_tag("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        text = link_text(a, view)
        low = href[:11].lower()
        if low.startswith(("javascript:", "mailto:", "tel:", "#")):
            absolute = href
            host = ""
        else:
            absolute = href if (not base or low.startswith(("http://", "https://"))) else urljoin(base, href)
            host = host_of(absolute)
        external = bool(host) and (site is None or registrable_domain(host) != site)
        root = hidden_of.get(a)
        hidden = root is not None
        link = PageLink(text, absolute, hidden, external)
        links.append(link)
        anchors.append(a)
        texts.append(text + " " + (a.get("title") or ""))
        if hidden and external and host:
            by_root.setdefault(root, []).append((link, host))
    # the anchors over all link texts (and addresses) at once, then the rules where they occur
    for scope, values in (("link", texts), ("url", [l.href for l in links])):
        if not values:
            continue
        joined = "\n".join(values)
        rules = dic.candidates(joined.lower(), scope)
        if not rules:
            continue
        starts = []
        pos = 0
        for v in values:
            starts.append(pos)
            pos += len(v) + 1
        for rule in rules:
            for m in rule.pattern.finditer(joined):
                i = bisect.bisect_right(starts, m.start()) - 1
                if links[i].why:
                    continue
                hit = rule_hit(rule, values[i])
                if hit:
                    links[i].why = f"{rule.why}:{hit}"

    # Hidden blocks of external links that are not interactive UI.
    if by_root:
        scripts = None
        for root, items in by_root.items():
            foreign = {registrable_domain(h) for _, h in items if not is_gov_host(h)}
            foreign.discard(site)
            if len(foreign) < 2:
                continue
            if any(_SHARE.search(l.href) or _UI_WORDS.search(l.text) for l, _ in items):
                continue
            if any(k.startswith(("data-v-", "ng-", "v-", "x-")) for k in root.attrib):
                continue
            if scripts is None:
                scripts = _script_text(view) + " " + " ".join(
                    (el.get("onmouseover") or "") + (el.get("onclick") or "") for el in view.tree.iter() if isinstance(el.tag, str) and (el.get("onmouseover") or el.get("onclick"))
                )
            names = [root.get("id") or ""] + (root.get("class") or "").split()
            if any(n and len(n) > 2 and n in scripts for n in names):
                continue
            for link, host in items:
                if registrable_domain(host) in foreign and link.why is None:
                    link.why = "hidden-external"

    suspicions: list[Suspicion] = []
    title = view.html_title or ""
    hit = dic.scan(title, "title")
    if hit:
        suspicions.append(Suspicion("title", title, f"{hit[0].why}:{hit[1]}"))
        for rule in dic.rules:
            if rule.corroborate and "title" in rule.scopes and rule.pattern.search(title):
                suspicions.append(Suspicion("title", title, f"{rule.why}:{rule.id}"))
    for name in ("keywords", "description"):
        value = view.meta_get(name) or ""
        hit = dic.scan(value, "meta")
        if hit:
            suspicions.append(Suspicion(f"meta:{name}", value[:200], f"{hit[0].why}:{hit[1]}"))
    for root in list(view.rendered.hidden_roots) + list(concealed):
        text = re.sub(r"\s+", " ", root.text_content() or "").strip()
        hit = dic.scan(text, "hidden")
        if hit:
            suspicions.append(Suspicion("hidden-text", text[:200], f"{hit[0].why}:{hit[1]}"))
    if dic.junk_tags and view.raw_html is not None:
        head = view.raw_html[:200000]
        for rule in dic.junk_tags:
            found = rule.pattern.findall(head)
            if len(found) >= 3:
                suspicions.append(Suspicion("markup", " ".join(str(f) for f in found[:5])[:200], f"{rule.why}:{rule.id}"))
                break
    return links, suspicions


def suspicious(links: Iterable[PageLink]) -> list[PageLink]:
    return [l for l in links if l.why]
