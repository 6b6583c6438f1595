"""QC4xx identity marks: each rule passes on a well-marked site and fires on its own defect."""

from __future__ import annotations

import dataclasses

import pytest

from qualitycheck.checks.identity import IdentityAccumulator
from qualitycheck.config import Config
from qualitycheck.extract.marks import Marks

GOOD = Marks(site_code="5100000062", icp="蜀ICP备13001288号", psb="川公网安备51010402000507号", conac=True,
             jiucuo=True, meta_site_code="5100000062", jiucuo_site_code="5100000062")


def codes(*pages: tuple[str, Marks], config: Config | None = None) -> list[str]:
    acc = IdentityAccumulator("www.sc.gov.cn", config or Config.default())
    for kind, marks in pages:
        acc.add(f"http://www.sc.gov.cn/{kind}.html", kind, marks)
    return sorted(f.code for f in acc.findings())


def test_a_well_marked_site_has_no_findings():
    assert codes(("home", GOOD), ("article", GOOD)) == []


@pytest.mark.parametrize("change, expected", [
    ({"site_code": None}, ["QC401"]),
    ({"site_code": "510000006233", "meta_site_code": None, "jiucuo_site_code": None}, ["QC402"]),  # 12 digits
    ({"site_code": "9900000062", "meta_site_code": None, "jiucuo_site_code": None}, ["QC402"]),  # no province 99
    ({"icp": None}, ["QC403"]),
    ({"icp": "蜀ICP备：19007388号"}, ["QC404"]),
    ({"icp": "蜀ICP备13001288"}, ["QC404"]),  # no 号
    ({"psb": None}, ["QC405"]),
    ({"psb": "川公网安备5101040200号"}, ["QC406"]),  # 10 digits, not 14
    ({"conac": False}, ["QC407"]),
    ({"jiucuo": False}, ["QC408"]),
    ({"jiucuo": None}, []),  # undecidable (a site's own iframe): not an accusation
    ({"meta_site_code": "4400000001"}, ["QC409"]),  # meta code of another province
    ({"icp": "京ICP备13001288号"}, ["QC409"]),  # ICP province differs from the code's
    ({"psb": "川公网安备44010402000507号"}, ["QC409"]),  # 公网安备 region differs
])
def test_each_defect_fires_its_own_rule(change, expected):
    assert codes(("home", dataclasses.replace(GOOD, **change))) == expected


def test_central_department_code_is_accepted():
    central = dataclasses.replace(GOOD, site_code="bm01000001", meta_site_code="bm01000001", jiucuo_site_code=None,
                                  icp="京ICP备05070218号", psb="京公网安备11010202000001号")
    assert codes(("home", central)) == []


def test_site_is_judged_on_its_homepage_when_crawled():
    bare = dataclasses.replace(GOOD, site_code=None)
    assert codes(("home", GOOD), ("article", bare), ("list", bare)) == []
    assert codes(("home", bare), ("article", GOOD), ("list", GOOD)) == ["QC401"]


def test_without_a_homepage_most_pages_decide():
    bare = dataclasses.replace(GOOD, psb=None)
    assert codes(("article", bare), ("list", bare), ("article", GOOD)) == ["QC405"]
    assert codes(("article", bare), ("list", GOOD), ("article", GOOD)) == []


def test_findings_carry_evidence_and_respect_selection():
    acc = IdentityAccumulator("www.sc.gov.cn", Config.default())
    acc.add("http://www.sc.gov.cn/", "home", dataclasses.replace(GOOD, conac=False))
    acc.add("http://www.sc.gov.cn/a.html", "article", dataclasses.replace(GOOD, conac=False))
    [f] = acc.findings()
    assert f.evidence["pages_missing"] == 2 and f.url == "http://www.sc.gov.cn/" and "党政机关" in f.message
    assert codes(("home", dataclasses.replace(GOOD, conac=False)),
                 config=Config.from_dict({"severity": {"QC407": "error"}})) == ["QC407"]


def test_every_province_abbreviation_in_regions_is_read_from_footers():
    # 秦 (陕西) is in regions.yaml; the footer reader uses the same list.
    from qualitycheck.extract.page import read_page

    html = ("<html><body><h1>某县人民政府</h1><div class='footer'>网站标识码：6100000001　秦ICP备12345678号"
            "　陕公网安备61010402000001号</div></body></html>")
    marks = read_page(html.encode("utf-8"), source="f.html").marks
    assert marks.icp == "秦ICP备12345678号" and marks.site_code == "6100000001"
