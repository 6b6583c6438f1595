"""Column types (栏目类型) and how long each may go without an update.

| type          | 栏目 | update period (config key) | source |
|---------------|------|----------------------------|--------|
| ``news``      | 动态、要闻类 (本地要闻, 部门动态, 区县动态, 工作进展) | ``columns.news_days`` (14) | 国办秘函〔2019〕19号 单项否决·栏目不更新 |
| ``notice``    | 通知公告、政策文件类 (通知公告, 公示公告, 政策, 规范性文件) | ``columns.notice_days`` (183) | 国办秘函〔2019〕19号 单项否决·栏目不更新 |
| ``plan``      | 人事、规划计划类 | ``columns.plan_days`` (365) | 国办发〔2015〕15号 普查答疑; 1 year per 开普云 "要求一年内更新" |
| ``interaction`` | 互动交流 (留言, 信箱, 咨询, 访谈, 征集) | none (messages are checked instead, QC304) | 国办秘函〔2019〕19号 单项否决·互动回应差 |
| ``other``     | everything else (机构职能, 办事服务, 专题, links to other sites) | none | - |

Two classifiers decide the type from a column's name (and, when the name says nothing, its
item titles): a keyword baseline (``keyword_type``) and a scikit-learn model trained by
``python -m qualitycheck.columns.train`` from ``corpora/columns/*.tsv``.  Which one
``classify`` uses is recorded in the shipped model file (the one that scored better in
cross-validation on the training split); both are measured in ``models/columns/CARD.md``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..paths import MODELS_DIR

if TYPE_CHECKING:
    from ..config import Config

log = logging.getLogger(__name__)

TYPES = ("news", "notice", "plan", "interaction", "other")
TYPE_LABELS = {
    "news": "动态要闻类",
    "notice": "通知公告·政策文件类",
    "plan": "人事·规划计划类",
    "interaction": "互动交流类",
    "other": "其他",
}
PERIOD_KEYS = {"news": "news_days", "notice": "notice_days", "plan": "plan_days"}
PERIOD_SOURCES = {
    "news": "国办秘函〔2019〕19号 单项否决·栏目不更新: 动态、要闻类栏目2周内无更新 (SITE-003)",
    "notice": "国办秘函〔2019〕19号 单项否决·栏目不更新: 通知公告、政策文件类栏目6个月内无更新 (SITE-003)",
    "plan": "国办发〔2015〕15号 普查答疑: 人事、规划计划类应更新栏目; 1年 per 开普云 \"要求一年内更新\" [V] (SITE-004)",
}

MODEL_PATH = MODELS_DIR / "columns" / "column_type.joblib"

# -- normalising a name ----------------------------------------------------------------------

_DECOR = re.compile(r"[\s\u3000·•●◆■□▪▶►>»«<【】\[\]|｜:：/\\\-—_~～、，,。.!！?？()（）“”\"'‘’《》]+")
_JUNK_NAMES = re.compile(r"^(?:更多|more|查看更多|更多信息|更多内容|详细|详情|点击进入|进入|\d+)$", re.I)


_CRUMB_PREFIX = re.compile(r"^\s*(?:当前位置|您的位置|你的位置|您现在的位置|现在的位置|所在位置|当前页|位置)\s*[:：]\s*")
# (?<!\s): a match starts only where a whitespace run starts, so a long run is scanned once.
_CRUMB_SEP = re.compile(r"(?<!\s)\s*(?:>|＞|»|›|→|-\s*>)\s*")


def normalize_name(name: str | None) -> str:
    """A column name without decoration: '【通知公告】>>' → '通知公告'.

    A breadcrumb used as a heading keeps its last part: '当前位置：首页 > 政务咨询' → '政务咨询'.
    """
    if not name:
        return ""
    name = _CRUMB_PREFIX.sub("", name)
    if _CRUMB_SEP.search(name):
        parts = [p for p in _CRUMB_SEP.split(name) if _DECOR.sub("", p)]
        if parts:
            name = parts[-1]
    return _DECOR.sub("", name).strip()


def is_junk_name(name: str | None) -> bool:
    """Link texts that are not a column's name (更多, >>, digits)."""
    norm = normalize_name(name)
    return not norm or _JUNK_NAMES.match(norm) is not None


# -- keyword baseline ------------------------------------------------------------------------

# Checked in this order; the first match wins.  Interaction first (领导信箱 is not a 通知),
# plan before notice (人事任免公示 is 人事), notice before news (政策解读, 新闻发布会 stays news
# because 发布会 is listed under news and notice needs 公告/文件 words).
KEYWORD_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("interaction", re.compile(r"留言|信箱|互动|咨询|投诉|建言|建议|访谈|征集|调查|问答|来信|信访|举报|问政|邮箱|论坛|热线|沟通|督查")),
    ("plan", re.compile(r"人事|任免|招聘|招考|录用|聘英才|规划|计划|工作报告")),
    ("news", re.compile(r"动态|要闻|新闻|资讯|快讯|头条|进展|播报|发布会|会议|今日|关注|简报|转载")),
    ("notice", re.compile(r"通知|公告|公示|通告|政策|文件|法规|规章|制度|公报|解读|政府令|市政府令|采购|修订|废止")),
)


# A link text naming an agency, a government or a place is a link to another site, not a
# column (市规划和自然资源局 is not a 规划 column, 退役军人事务部 not a 人事 one).
AGENCY_OR_PLACE = re.compile(
    r"(?:局|部|委|厅|署|办|院|中心|政府|委员会|管委会|办事处|街道|镇|乡|区|县|市|州|盟|省|自治区|集团|公司|大学|学院|学校)$"
)


def keyword_type(name: str | None, titles: Sequence[str] = ()) -> str:
    """The keyword baseline: the first rule whose words occur in the name, else 'other'."""
    norm = normalize_name(name)
    if AGENCY_OR_PLACE.search(norm):
        return "other"
    for label, pattern in KEYWORD_RULES:
        if pattern.search(norm):
            return label
    return "other"


# -- item titles, for columns whose name says nothing ----------------------------------------

_DOC_TITLE = re.compile(r"(?:通知|公告|通告|公示|决定|意见|办法|规定|条例|细则|批复|规则|函|令)(?:[（(][^）)]{0,100}[）)])?$")
_PERSONNEL_TITLE = re.compile(r"任免|任职|免职|招聘|招考|录用|人事")
_PLAN_TITLE = re.compile(r"(?:规划|计划|工作要点|工作总结|工作报告)(?:[（(][^）)]*[）)])?$")


def type_from_titles(titles: Iterable[str]) -> str | None:
    """A type when most item titles agree (document titles → notice ...), else None."""
    titles = [t.strip() for t in titles if t and t.strip()]
    if len(titles) < 2:
        return None
    votes = {"notice": 0, "plan": 0}
    for t in titles:
        if _PERSONNEL_TITLE.search(t) or _PLAN_TITLE.search(t):
            votes["plan"] += 1
        elif _DOC_TITLE.search(t):
            votes["notice"] += 1
    label, n = max(votes.items(), key=lambda kv: kv[1])
    return label if n * 2 > len(titles) else None


# -- the learned model -----------------------------------------------------------------------


@dataclass
class TypeModel:
    """The shipped model file: a scikit-learn pipeline and which method ``classify`` uses."""

    pipeline: Any  # sklearn Pipeline(TfidfVectorizer(char n-grams), LogisticRegression)
    method: str  # "model" | "rules" | "hybrid" (rules where a keyword matches, else a confident model)
    sklearn_version: str
    meta: dict
    threshold: float = 0.0  # hybrid: the model's probability needed to overrule "other"

    def predict(self, names: Sequence[str]) -> list[str]:
        norm = [normalize_name(n) for n in names]
        if self.method == "rules" or self.pipeline is None:
            return [keyword_type(n) for n in norm]
        proba = self.pipeline.predict_proba(norm)
        classes = list(self.pipeline.classes_)
        learned = [(classes[int(row.argmax())], float(row.max())) for row in proba]
        if self.method == "model":
            return [label for label, _ in learned]
        out = []
        for n, (label, p) in zip(norm, learned):
            rule = keyword_type(n)
            out.append(rule if rule != "other" else (label if p >= self.threshold else "other"))
        return out


_model_lock = threading.Lock()
_model: TypeModel | None = None
_model_loaded = False
MODEL_INFO = MODELS_DIR / "columns" / "model.json"


def load_model(info_path: Path = MODEL_INFO) -> TypeModel | None:
    """The shipped classifier, loaded once per process, lazily.

    ``models/columns/model.json`` says which method won (see CARD.md).  When it is ``rules``
    the scikit-learn pipeline is not loaded at all; when the file or the pickle cannot be
    read, the keyword rules are used and a warning is logged.
    """
    global _model, _model_loaded
    if _model_loaded:
        return _model
    with _model_lock:
        if _model_loaded:
            return _model
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if info["method"] == "rules":
                _model = TypeModel(None, "rules", info.get("sklearn_version", ""), info)
            else:
                _model = _load_pipeline(info_path.parent / info["model_file"], info["method"], float(info["threshold"]))
        except Exception as exc:  # missing file, incompatible pickle: fall back to the rules
            log.warning("column-type model not loaded (%s); using the keyword rules", exc)
            _model = None
        _model_loaded = True
        return _model


def _load_pipeline(path: Path, method: str, threshold: float) -> TypeModel:
    import warnings

    import joblib
    import sklearn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = joblib.load(path)
    if data.get("sklearn_version") != sklearn.__version__:
        log.warning(
            "column-type model was built with scikit-learn %s, running %s; rebuild with "
            "`python -m qualitycheck.columns.train`", data.get("sklearn_version"), sklearn.__version__,
        )
    return TypeModel(data["pipeline"], method, data["sklearn_version"], data.get("meta", {}), threshold)


def load_learned(path: Path = MODEL_PATH) -> TypeModel:
    """The learned candidate as stored (for benchmarks and tests), whatever method is shipped."""
    data = json.loads(MODEL_INFO.read_text(encoding="utf-8"))
    return _load_pipeline(path, data["learned_method"], float(data["threshold"]))


_cache: dict[str, str] = {}


def classify(name: str | None, titles: Sequence[str] = ()) -> str:
    """The column type of a column called ``name`` whose items are ``titles``.

    The name decides; when the name is missing or says nothing (type ``other``) and most item
    titles are document titles (…的通知, …办法) or personnel/plan titles, the titles decide.
    """
    norm = normalize_name(name)
    label = "other"
    if norm and not is_junk_name(norm):
        label = _cache.get(norm) or ""
        if not label:
            model = load_model()
            label = model.predict([norm])[0] if model is not None else keyword_type(norm)
            if len(_cache) < 50_000:
                _cache[norm] = label
    if label == "other" and titles:
        label = type_from_titles(titles) or "other"
    return label


def period_days(column_type: str, config: "Config") -> int | None:
    """Days a column of this type may go without a new item; None if no period applies."""
    key = PERIOD_KEYS.get(column_type)
    return int(config["columns"][key]) if key else None
