"""Build the injected-text (QC505) evaluation sets from the shared official corpora.

    python corpora/injection/build_sets.py [--shared ../shared/data]

negatives.jsonl  real official paragraphs that name gambling, lottery, porn, drugs or invoices
                 (laws and regulations, State Council Information Office press conferences, the
                 2024-2026 government work reports),
                 each with its document's title: what a page about that subject, or about
                 something else that mentions it, really says. None of them is injected.
positives.jsonl  SYNTHETIC: a spam line in the style of real hacked pages (the seed notice's
                 "本文由365bet体育网址发布于三农资讯", brand + 注册送彩金, 代开发票 + phone, porn
                 come-ons) spliced into a clean paragraph of the 2024-2026 government work reports.
                 The spam lines are written here, not copied from any hacked page.
positives-real.jsonl  REAL spam lines (cherry/gamble.dat, cherry/sex.dat: Windsooon/cherry @ 918024f,
                 MIT) spliced the same way; split into dev (tuning allowed) and test (measured only).

Deterministic: the same input gives the same files (random.Random(12)).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
# a paragraph names one of these subjects: the hard cases for a spam-word detector
TOPIC = re.compile(r"赌|博彩|彩票|色情|淫秽|黄色|卖淫|嫖娼|毒品|吸毒|发票|澳门|葡京|威尼斯人|金沙|太阳城|老虎机|百家乐"
                   r"|棋牌|彩金|代孕|枪支|套现|刷单|侦探|裸|成人|福利彩|娱乐场所|网络游戏|开户|充值|投注|注册送")
PER_DOC = 25
MAX_LEN = 400


def _paragraphs(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "<!--")) or len(line) < 12:
            continue
        out.append(line[:MAX_LEN])
    return out


def negatives(shared: Path) -> list[dict]:
    rows: list[dict] = []
    laws = shared / "corpora" / "lawrefbook-laws"
    for path in sorted(laws.rglob("*.md")):
        if path.name == "_index.md":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"^#\s*(.+)$", text, re.M)
        title = m.group(1).strip() if m else path.stem
        body = text.split("<!-- INFO END -->", 1)[-1]
        hits = [p for p in _paragraphs(body) if TOPIC.search(p)]
        for i, p in enumerate(hits[:PER_DOC]):
            rows.append({"id": f"law:{path.relative_to(laws)}#{i}", "title": title, "text": p})
    press = shared / "corpora" / "mfa-press-conferences-scio" / "exports"
    for path in sorted(press.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"^title:\s*(.+)$", text, re.M)
        title = m.group(1).strip() if m else path.stem
        body = text.split("content:", 1)[-1]
        hits = [p for p in _paragraphs(body) if TOPIC.search(p)]
        for i, p in enumerate(hits[:PER_DOC]):
            rows.append({"id": f"scio:{path.name}#{i}", "title": title, "text": p})
    reports = shared / "corpora" / "gov-work-report-2024-2026" / "data"
    for path in sorted(reports.glob("*.csv")):
        with path.open(encoding="utf-8-sig") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                zh = (row.get("中文") or "").strip()
                if len(zh) >= 12 and TOPIC.search(zh):
                    year = (row.get("报告年份") or path.stem[3:7]).strip()
                    rows.append({"id": f"report:{path.name}#{i}", "title": f"{year}年政府工作报告", "text": zh[:MAX_LEN]})
    return rows


# --- synthetic positives ---------------------------------------------------------------------

_BRANDS = ["365bet", "bet365", "beat365", "澳门新葡京", "澳门威尼斯人", "威尼斯人", "金沙", "葡京", "太阳城", "万博",
           "manbetx", "凯发", "九游会", "开云体育", "亚博体育", "皇冠体育", "bbin", "188bet", "必发", "博狗"]
_SUFFIX = ["体育网址", "娱乐", "注册", "开户", "官网", "娱乐网址", "体育", "平台", "官方网站", "娱乐城"]
_COLUMNS = ["三农资讯", "政务公开", "通知公告", "新闻动态", "民生热点", "科技资讯"]
_LINES = [
    "本文由{b}{s}发布于{c},转载请注明出处:{t}",
    "{b}{s}：www.{d}.com",
    "{b}{s}，注册送{n}元彩金，首存优惠",
    "原标题：{t}_{b}{s}",
    "{b}{s}首页欢迎您，{b}在线投注",
    "大发彩票平台注册就送{n}元，彩票计划群加微信{w}",
    "北京赛车pk10计划免费，时时彩投注网址{d}.com",
    "六合彩开户充值返水，网上赌场真人视讯",
    "百家乐在线玩，真人荷官，首充送{n}%",
    "代开发票{p}，代开增值税发票，真票可查验",
    "办证电话{p}，刻章办证",
    "午夜福利视频在线观看，成人视频免费观看",
    "同城约炮，裸聊加微信{w}",
    "国产精品一区二区，无码免费观看",
    "棋牌开户送彩金，24小时提现",
    "{b}{s}官网入口：{d}.net",
]


def positives(shared: Path, n: int = 400) -> list[dict]:
    rng = random.Random(12)
    hosts: list[str] = []
    for path in sorted((shared / "corpora" / "gov-work-report-2024-2026" / "data").glob("*.csv")):
        with path.open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                zh = (row.get("中文") or "").strip()
                if 40 <= len(zh) <= 300 and not TOPIC.search(zh):
                    hosts.append(zh)
    rows = []
    for i in range(n):
        title = "2024年政府工作报告" if i % 2 else "关于做好当前重点工作的通知"
        host = rng.sample(hosts, 3)
        line = rng.choice(_LINES).format(
            b=rng.choice(_BRANDS), s=rng.choice(_SUFFIX), c=rng.choice(_COLUMNS), t=title,
            d="".join(rng.choice("abcdefghkmnpqrstwxyz0123456789") for _ in range(6)), n=rng.choice([18, 38, 88, 100, 888]),
            w="".join(rng.choice("0123456789") for _ in range(9)), p="1" + "".join(rng.choice("0123456789") for _ in range(10)))
        where = rng.randrange(4)  # spliced at the start, inside a sentence, between paragraphs, at the end
        if where == 0:
            paras = [line + host[0], host[1], host[2]]
        elif where == 1:
            cut = rng.randrange(10, len(host[1]) - 5)
            paras = [host[0], host[1][:cut] + line + host[1][cut:], host[2]]
        elif where == 2:
            paras = [host[0], line, host[1], host[2]]
        else:
            paras = [host[0], host[1], host[2], line]
        rows.append({"id": f"synthetic-{i}", "title": title, "text": "\n".join(paras), "spam": line})
    return rows


def real_spam(shared: Path) -> list[dict]:
    """REAL spam lines (Windsooon/cherry's gambling and porn classes, texts taken from gambling and porn
    sites) spliced into clean work-report text as positives.jsonl is. Lines alternate between a dev
    half (odd lines: the term list may be tuned on it) and a test half (even lines: measured only).
    Their normal class (news) joins nothing: it is read by the benchmark as more clean text."""
    rng = random.Random(13)
    hosts = [r["text"].split("\n")[0] for r in positives(shared)]
    rows = []
    for name, kind in (("gamble.dat", "赌博"), ("sex.dat", "色情")):
        lines = [l.strip() for l in (HERE / "cherry" / name).read_text(encoding="utf-8").splitlines() if l.strip()]
        for i, line in enumerate(lines):
            line = line[:200]
            host = rng.sample(hosts, 2)
            rows.append({"id": f"cherry:{name}#{i}", "split": "test" if i % 2 else "dev", "kind": kind,
                         "title": "关于做好当前重点工作的通知", "text": f"{host[0]}\n{line}\n{host[1]}", "spam": line})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(HERE.parents[2] / "shared" / "data"))
    args = ap.parse_args()
    shared = Path(args.shared)
    for name, rows in (("negatives.jsonl", negatives(shared)), ("positives.jsonl", positives(shared)),
                       ("positives-real.jsonl", real_spam(shared))):
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
