"""The site registry: reading the inspector's list of sites, naming bad rows, placing pages."""

from __future__ import annotations

import pickle

import pytest
from click.testing import CliRunner

from qualitycheck.cli import main
from qualitycheck.errors import InputError
from qualitycheck.site_registry import Registry, load_registry

HEADER = "网站名称,网站标识码,首页网址,主办单位,地区,级别\n"


def write(tmp_path, text: str, name: str = "sites.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_rows_in_utf8_with_bom_and_gbk(tmp_path):
    body = HEADER + "成都市人民政府,5101000001,https://www.chengdu.gov.cn/,成都市人民政府办公厅,510100,市\n"
    for encoding in ("utf-8-sig", "gbk"):
        reg = load_registry(write(tmp_path, body, encoding=encoding))
        (entry,) = reg.entries
        assert entry.name == "成都市人民政府"
        assert entry.site_code == "5101000001"
        assert entry.host == "www.chengdu.gov.cn"
        assert entry.level == "市" and entry.region_code == "510100"
        assert entry.key == "www.chengdu.gov.cn"
        assert reg.problems == []


def test_bad_rows_are_named_by_line_and_the_rest_go_on(tmp_path):
    text = HEADER + "\n".join([
        "甲县人民政府,5101000002,http://www.jia.gov.cn/,甲县办,510100,县",       # line 2: fine
        ",5101000003,http://www.nameless.gov.cn/,,510100,县",                     # 3: no name
        "乙县人民政府,5101000004,,乙县办,510100,县",                              # 4: no URL
        "丙县人民政府,5101000005,ftp://bing.gov.cn/,丙县办,510100,县",            # 5: not a web address
        "甲县人民政府（重复）,5101000006,http://www.jia.gov.cn/index.html,,510100,县",  # 6: same site as line 2
        "丁县人民政府,51010007,http://www.ding.gov.cn/,丁县办,510100,县",         # 7: code too short: kept
        "戊县人民政府,5101000008,http://www.wu.gov.cn/,戊县办,510100,乡镇",       # 8: unknown level: kept
        "己县人民政府,3301000009,http://www.ji.gov.cn/,己县办,510100,县",         # 9: code of another province
    ]) + "\n"
    reg = load_registry(write(tmp_path, text))
    by_line = {p.line: p for p in reg.problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert [p.kept for p in reg.problems] == [False, False, False, False, True, True, True]
    assert by_line[6].field == "首页网址" and "第2行" in by_line[6].message
    assert "第7行" in str(by_line[7]) and "网站标识码" in str(by_line[7])
    assert [e.name for e in reg.entries] == ["甲县人民政府", "丁县人民政府", "戊县人民政府", "己县人民政府"]
    ding = reg.get("www.ding.gov.cn")
    assert ding.site_code == "" and reg.get("www.wu.gov.cn").level == ""


def test_line_numbers_count_multiline_cells(tmp_path):
    text = HEADER + '"多行\n名称",5101000002,http://www.a.gov.cn/,,,县\n,5101000003,http://www.b.gov.cn/,,,县\n'
    reg = load_registry(write(tmp_path, text))
    assert [p.line for p in reg.problems] == [4]


def test_xlsx_with_a_title_row_and_numeric_codes(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2025年第二季度政府网站名册"])
    sheet.append(["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "地区", "级别"])
    sheet.append([1, "四川省人民政府", 5100000062, "www.sc.gov.cn", "四川省人民政府办公厅", "四川省", "省级"])
    sheet.append([2, None, None, None, None, None, None])
    sheet.append([3, "四川省教育厅", "5100000075", "http://edu.sc.gov.cn/scedu/index.shtml", "四川省教育厅", "四川省", "省级部门"])
    path = tmp_path / "sites.xlsx"
    book.save(path)
    reg = load_registry(path)
    assert [e.site_code for e in reg.entries] == ["5100000062", "5100000075"]
    assert [e.level for e in reg.entries] == ["省", "部门"]
    assert reg.entries[0].home_url == "http://www.sc.gov.cn" and reg.entries[0].line == 3
    assert reg.entries[1].path_prefix == "/scedu/"
    assert reg.problems == []


def test_pages_are_placed_on_their_site(tmp_path):
    text = HEADER + "\n".join([
        "省政府,5100000062,http://www.sc.gov.cn/,,,省",
        "省发改委,5100000070,http://fgw.sc.gov.cn/,,,部门",
        "中国政府网·政策,bm01000001,http://www.gov.cn/zhengce/index.htm,,,部门",
        "中国政府网·服务,bm01000002,http://www.gov.cn/fuwu/,,,部门",
        "本机站点一,5100000081,http://127.0.0.1:8001/,,,县",
        "本机站点二,5100000082,http://127.0.0.1:8002/,,,县",
    ]) + "\n"
    reg = load_registry(write(tmp_path, text))
    assert reg.site_for_url("https://www.sc.gov.cn/10462/c1/2025/art.html").name == "省政府"
    assert reg.site_for_url("http://sc.gov.cn/").name == "省政府"           # www. on one side only
    assert reg.site_for_url("http://fgw.sc.gov.cn/a.html").name == "省发改委"
    assert reg.site_for_url("http://edu.sc.gov.cn/") is None                # a subdomain is another site
    assert reg.site_for_url("http://www.gov.cn/zhengce/2025-01/01/c.htm").site_code == "bm01000001"
    assert reg.site_for_url("http://www.gov.cn/fuwu/a.htm").site_code == "bm01000002"
    assert reg.site_for_url("http://www.gov.cn/xinwen/a.htm") is None       # shared host, no folder matches
    assert reg.site_for_url("http://127.0.0.1:8002/x").name == "本机站点二"
    assert reg.site_for_url("http://127.0.0.1:8003/x") is None
    assert reg.site_for_url("not a url") is None and reg.site_for_url(None) is None
    assert {e.key for e in reg} >= {"www.gov.cn/zhengce", "www.gov.cn/fuwu", "127.0.0.1:8001"}


def test_registry_travels_as_plain_data(tmp_path):
    reg = load_registry(write(tmp_path, HEADER + "甲,5101000002,http://www.jia.gov.cn/,,,县\n,,http://x.gov.cn/,,,\n"))
    again = Registry.from_dict(reg.to_dict())
    assert again.entries == reg.entries and again.problems == reg.problems
    assert pickle.loads(pickle.dumps(reg)).site_for_url("http://www.jia.gov.cn/a").name == "甲"


@pytest.mark.parametrize("content,name,needle", [
    ("名称,地址\n甲,http://a.gov.cn/\n", "sites.csv", "首页网址"),
    ("", "sites.csv", "为空"),
    ("x", "sites.xls", ".xls"),
    ("not a zip", "sites.xlsx", "Excel"),
])
def test_unusable_files_are_one_chinese_error(tmp_path, content, name, needle):
    with pytest.raises(InputError) as err:
        load_registry(write(tmp_path, content, name=name))
    assert needle in str(err.value)
    with pytest.raises(InputError, match="不存在"):
        load_registry(tmp_path / "missing.csv")


def test_registry_command_lists_problems_with_lines(tmp_path):
    path = write(tmp_path, HEADER + "甲,5101000002,http://www.jia.gov.cn/,,,县\n乙,12,http://www.yi.gov.cn/,,,县\n")
    result = CliRunner().invoke(main, ["registry", str(path)])
    assert result.exit_code == 1
    assert f"{path}:第3行 网站标识码" in result.output and "2 个网站可用" in result.output
    clean = write(tmp_path, HEADER + "甲,5101000002,http://www.jia.gov.cn/,,,县\n", name="ok.csv")
    assert CliRunner().invoke(main, ["registry", str(clean)]).exit_code == 0
    broken = write(tmp_path, "a,b\n", name="bad.csv")
    result = CliRunner().invoke(main, ["registry", str(broken)])
    assert result.exit_code == 2 and "表头" in result.output


def test_the_bundled_example_registry_matches_the_example_crawl(root):
    reg = load_registry(root / "examples" / "registry.csv")
    hosts = {p.name for p in (root / "examples" / "site").iterdir() if p.is_dir()}
    assert {e.host for e in reg} == hosts and reg.problems == []


def test_footer_site_code_is_checked_against_the_registered_one(root, tmp_path):
    """A site whose footer shows another 网站标识码 than the registry has gets a QC409 naming both."""
    import json

    from qualitycheck.batch import lint_site
    from qualitycheck.config import Config

    example = (root / "examples" / "registry.csv").read_text(encoding="utf-8")
    wrong = write(tmp_path, example.replace("5100000099", "5100000098"), name="wrong.csv")
    cfg = Config.load(search_from=root).with_overrides(typo={"language_model": False})

    def registry_findings(registry_path, out):
        lint_site(root / "examples" / "site", tmp_path / out, config=cfg, jobs=1,
                  registry=load_registry(registry_path))
        rows = [json.loads(x) for x in (tmp_path / out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
        return [r for r in rows if r["code"] == "QC409" and "名册" in r["message"]]

    assert registry_findings(root / "examples" / "registry.csv", "right") == []
    (finding,) = registry_findings(wrong, "wrong")
    assert "5100000099" in finding["message"] and "5100000098" in finding["message"]
    assert finding["evidence"] == {"footer": "5100000099", "registered": "5100000098"}


def test_a_province_sized_registry_names_each_bad_row_and_nothing_else():
    from qualitycheck.bench.registry import run_registry_bench

    result = run_registry_bench(240, 12)
    for name in ("csv", "xlsx"):
        assert result[name]["every_bad_row_named"] and result[name]["unexpected_lines"] == []
        assert result[name]["problems"] == 12 and result[name]["entries"] == 240 - 8  # 4 of 6 kinds drop the row
