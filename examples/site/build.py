#!/usr/bin/env python3
"""Build the bundled example crawl: two demo county sites, one that passes and one that fails.

    python examples/site/build.py            # rewrites examples/site/www.demo-*.gov.cn/
    qualitycheck lint-site examples/site --as-of 2025-06-30 --out report

The home, column and message pages are constructed here (fictional sites, dates relative to
AS_OF). The article pages are real government pages from ../shared/data/pages (see
examples/site/README.md for their origin), copied unchanged, plus the example notice.
"""

from __future__ import annotations

import html
import shutil
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AS_OF = date(2025, 6, 30)
REAL_PAGES = ROOT / "tests" / "fixtures" / "pages"


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


NAV = [("首页", "/"), ("工作动态", "/gzdt/"), ("通知公告", "/tzgg/"), ("政策文件", "/zcwj/"),
       ("人事信息", "/rsxx/"), ("规划计划", "/ghjh/"), ("互动交流", "/hdjl/")]


def footer(marks: dict) -> str:
    lines = [f"主办单位：{marks['owner']}　联系电话：0000-12345678"]
    if marks.get("site_code"):
        lines.append(f"网站标识码：{marks['site_code']}")
    if marks.get("icp"):
        lines.append(f'<a href="https://beian.miit.gov.cn/">{marks["icp"]}</a>')
    if marks.get("psb"):
        code = "".join(ch for ch in marks["psb"] if ch.isdigit())
        lines.append(f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={code}">{marks["psb"]}</a>')
    badges = ""
    if marks.get("conac"):
        badges += ('<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0000000000000000">'
                   '<img src="/images/red.png" alt="党政机关"></a>')
    if marks.get("jiucuo"):
        badges += (f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={marks["site_code"]}" '
                   'target="_blank"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a>')
    extra = marks.get("footer_extra", "")
    return f'<div class="footer"><p>{"　".join(lines)}</p><p>{badges}</p>{extra}</div>'


def layout(site: dict, title: str, main: str, breadcrumb: str | None = None) -> str:
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in NAV)
    crumbs = f'<div class="crumbs">当前位置：<a href="/">首页</a> &gt; {html.escape(breadcrumb)}</div>' if breadcrumb else ""
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="SiteIDCode" content="{site["marks"].get("meta_code") or site["marks"].get("site_code") or ""}">'
        f"<title>{html.escape(title)}</title></head><body>"
        f'<div class="header"><h1 class="logo">{site["name"]}</h1><ul class="nav">{nav}</ul></div>'
        f"{crumbs}<div class=\"main\">{main}</div>{footer(site['marks'])}</body></html>"
    )


def item_list(items: list[tuple[str, str, str]]) -> str:
    return "<ul class=\"list\">" + "".join(
        f'<li><a href="{href}">{html.escape(title)}</a><span class="date">{day}</span></li>' for title, href, day in items
    ) + "</ul>"


def column_page(site: dict, name: str, items: list[tuple[str, str, str]], placeholder: str | None = None) -> str:
    body = f'<h2 class="column-title">{name}</h2>'
    if placeholder:
        body += f'<div class="empty">{placeholder}</div>'
    else:
        body += item_list(items) + f'<div class="pager">共{len(items)}条 第1页</div>'
    return layout(site, f"{name}_{site['name']}", body, breadcrumb=name)


def home_page(site: dict, blocks: list[tuple[str, str, list[tuple[str, str, str]]]], extra: str = "") -> str:
    parts = []
    for name, href, items in blocks:
        parts.append(f'<div class="block"><div class="block-head"><h3>{name}</h3><a class="more" href="{href}">更多&gt;&gt;</a></div>'
                     f"{item_list(items[:6])}</div>")
    return layout(site, site["name"], "".join(parts) + extra)


def message_details(site: dict, pages: dict[str, str], rows: list[tuple[str, str, str | None]]) -> None:
    for i, (title, asked, answered) in enumerate(rows):
        reply = f"<p>回复时间：{answered}</p><p>您好，您反映的问题已转交有关部门办理，感谢您的关注。</p>" if answered else "<p>状态：未回复</p>"
        main = (f'<div class="article"><h1 class="title">{html.escape(title)}</h1>'
                f'<div class="info">留言时间：{asked}</div><div class="content">{reply}</div></div>')
        pages[f"hdjl/m{i}.html"] = layout(site, f"{title}_{site['name']}", main, breadcrumb="互动交流")


def message_page(site: dict, rows: list[tuple[str, str, str | None]]) -> str:
    head = "<tr><th>留言标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>"
    body = "".join(
        f'<tr><td><a href="/hdjl/m{i}.html">{html.escape(t)}</a></td><td>{asked}</td><td>{answered or ""}</td>'
        f'<td>{"已回复" if answered else "未回复"}</td></tr>'
        for i, (t, asked, answered) in enumerate(rows)
    )
    return layout(site, f"互动交流_{site['name']}", f'<h2 class="column-title">互动交流</h2><table class="messages">{head}{body}</table>',
                  breadcrumb="互动交流")


def news(prefix: str, days: list[int], topics: list[str]) -> list[tuple[str, str, str]]:
    return [(f"{topics[i % len(topics)]}", f"/{prefix}/t{i}.html", ago(d)) for i, d in enumerate(days)]


BODY = ("为深入贯彻落实上级决策部署，进一步推动各项工作落地见效，县委、县政府高度重视，"
        "多次召开专题会议研究部署。会议要求，各乡镇、各部门要提高政治站位，压实工作责任，"
        "细化工作举措，确保各项任务按时保质完成。下一步，我县将持续加强统筹协调和督促检查，"
        "及时总结推广经验做法，切实把各项工作抓实抓细抓出成效。")


def article_page(site: dict, column: str, title: str, day: str) -> str:
    main = (f'<div class="article"><h1 class="title">{html.escape(title)}</h1>'
            f'<div class="info">发布时间：{day}　来源：{site["marks"]["owner"]}</div>'
            f'<div class="content"><p>{BODY}</p><p>{BODY}</p></div></div>')
    return layout(site, f"{title}_{site['name']}", main, breadcrumb=column)


def with_articles(site: dict, pages: dict[str, str], columns: dict[str, list[tuple[str, str, str]]]) -> None:
    """An article page behind every list item, so the crawl has no dead links of its own making."""
    for column, items in columns.items():
        for title, href, day in items:
            pages.setdefault(href.lstrip("/"), article_page(site, column, title, day))


NEWS = ["县政府召开常务会议研究部署防汛工作", "县长带队检查安全生产工作", "我县举办2025年春季招聘会",
        "县领导调研乡村振兴重点项目", "全县营商环境优化提升大会召开", "县政府与高校签署合作协议"]
NOTICES = ["关于做好2025年防汛抗旱工作的通知", "关于开展安全生产大检查的通知", "关于印发政务公开工作要点的通知",
           "关于公布行政许可事项清单的公告", "关于征求意见的公告"]
POLICIES = ["县人民政府关于促进民营经济发展的若干措施", "县人民政府办公室关于加强耕地保护的意见",
            "县人民政府关于印发应急预案的通知"]
PEOPLE = ["2025年县属事业单位公开招聘工作人员公告", "县人民政府关于任免工作人员的通知"]
PLANS = ["2025年县政府重点工作任务分工方案", "县国民经济和社会发展第十四个五年规划中期评估报告"]


def build_passing(out: Path) -> None:
    site = {"name": "示范县A人民政府（示例）", "marks": {
        "owner": "示范县A人民政府办公室", "site_code": "5100000099", "icp": "蜀ICP备00000001号",
        "psb": "川公网安备51000000000001号", "conac": True, "jiucuo": True}}
    columns = {"工作动态": news("gzdt", [2, 5, 9, 16, 30, 41], NEWS), "通知公告": news("tzgg", [12, 40, 75, 110, 150], NOTICES),
               "政策文件": news("zcwj", [35, 90, 170], POLICIES), "人事信息": news("rsxx", [60, 200], PEOPLE),
               "规划计划": news("ghjh", [150, 300], PLANS)}
    folders = {"工作动态": "gzdt", "通知公告": "tzgg", "政策文件": "zcwj", "人事信息": "rsxx", "规划计划": "ghjh"}
    pages = {f"{folders[name]}/index.html": column_page(site, name, items) for name, items in columns.items()}
    messages = [("咨询社保卡补办流程", ago(20), ago(17)), ("反映小区路灯不亮", ago(70), ago(66)),
                ("建议增加公交线路", ago(200), ago(190))]
    pages["hdjl/index.html"] = message_page(site, messages)
    message_details(site, pages, messages)
    pages["index.html"] = home_page(site, [
        ("工作动态", "/gzdt/", columns["工作动态"]),
        ("通知公告", "/tzgg/", columns["通知公告"]),
        ("政策文件", "/zcwj/", columns["政策文件"]),
    ])
    with_articles(site, pages, columns)
    write(out, pages)
    # Real articles: a county statistics bulletin and the example notice (with its planted errors).
    shutil.copyfile(REAL_PAGES / "091_www.wanzai.gov.cn_article.html", out / "gzdt" / "t0.html")
    shutil.copyfile(ROOT / "examples" / "notice.html", out / "tzgg" / "t0.html")


def build_failing(out: Path) -> None:
    site = {"name": "示范县B人民政府（示例）", "marks": {
        "owner": "示范县B人民政府办公室", "site_code": None, "meta_code": "3300000098",
        "icp": "浙ICP备00000002号", "psb": "浙公网安备33000000000002号", "conac": True, "jiucuo": False,
        # An injected block of the kind the notices call 赌博网站链接 (hidden, off the page).
        "footer_extra": ('<div style="position:absolute;left:-9999px;top:-9999px">'
                         '<a href="http://www.bet365-example.com/">bet365体育在线投注</a>'
                         '<a href="http://manbetx-example.net/">万博manbetx官网登录</a>'
                         '<a href="http://kf-example.org/">凯发app官方网站</a></div>')}}
    placeholders = {"zcjd": ("政策解读", "暂无信息"), "jyta": ("建议提案办理", "栏目正在建设中"),
                    "czyjs": ("财政预决算", "暂无信息"), "zdxm": ("重大项目", "敬请期待"),
                    "shgy": ("社会公益事业", "暂无数据")}
    columns = {"工作动态": news("gzdt", [40, 55, 80, 120], NEWS), "通知公告": news("tzgg", [200, 260, 400], NOTICES),
               "政策文件": news("zcwj", [190, 500], POLICIES), "人事信息": news("rsxx", [420, 700], PEOPLE),
               "规划计划": news("ghjh", [380], PLANS)}
    folders = {"工作动态": "gzdt", "通知公告": "tzgg", "政策文件": "zcwj", "人事信息": "rsxx", "规划计划": "ghjh"}
    pages = {f"{folders[name]}/index.html": column_page(site, name, items) for name, items in columns.items()}
    messages = [("反映村道路面破损", ago(150), None), ("咨询低保申请条件", ago(120), None),
                ("建议增设便民服务点", ago(30), ago(25))]
    pages["hdjl/index.html"] = message_page(site, messages)
    message_details(site, pages, messages)
    for folder, (name, text) in placeholders.items():
        pages[f"{folder}/index.html"] = column_page(site, name, [], placeholder=text)
    nav_extra = "".join(f'<a href="/{folder}/">{name}</a>' for folder, (name, _) in placeholders.items())
    pages["index.html"] = home_page(site, [
        ("工作动态", "/gzdt/", columns["工作动态"]),
        ("通知公告", "/tzgg/", columns["通知公告"]),
    ], extra=f'<div class="links">专题专栏：{nav_extra}</div>')
    with_articles(site, pages, columns)
    write(out, pages)
    shutil.copyfile(REAL_PAGES / "076_www.nmg.gov.cn_article.html", out / "gzdt" / "t0.html")


def write(out: Path, pages: dict[str, str]) -> None:
    for rel, text in pages.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    for name, build in (("www.demo-a.gov.cn", build_passing), ("www.demo-b.gov.cn", build_failing)):
        out = HERE / name
        if out.exists():
            shutil.rmtree(out)
        build(out)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
