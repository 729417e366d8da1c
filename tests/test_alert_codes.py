"""The editable code table that maps 110 tree codes and names to nature/category/offence."""

import csv

import pytest

from zhian.pipeline.values.codes import CodeTable, load_table


@pytest.fixture(scope="module")
def table():
    return load_table()


@pytest.mark.parametrize(
    ("value", "nature", "category", "offence"),
    [
        ("J020000", "报警", "治安", None),  # national J code
        ("J020702", "报警", "治安", None),  # a J sub-code inherits its category's meaning
        ("J060000", "求助", "其他", None),
        ("02030100", "报警", "治安", "殴打他人"),  # 8-digit = 6-digit tree code padded with 00
        ("01050400", "报警", "刑事", "赌博"),
        ("02052000", "报警", "治安", "赌博"),
        ("09010100", "举报", "其他", "赌博"),  # unknown leaf → nearest known ancestor
        ("caseType110200700", "报警", "治安", "赌博"),  # Joviansoft code with its prefix
        ("行政（治安）类警情", "报警", "治安", None),  # tree names
        ("刑事类警情", "报警", "刑事", None),
        ("群众紧急求助类警情", "求助", "其他", None),
        ("警务咨询类警情", "咨询", "其他", None),
        ("投诉监督类警情", "投诉", "其他", None),
        ("取消报警", "无效", "其他", None),
        ("重复报警", "无效", "其他", None),
        ("打错电话", "无效", "其他", None),
        ("骚扰电话", "无效", "其他", None),
        ("无声", "无效", "其他", None),
        ("060801", "求助", "灾害事故", "火灾"),  # fire sits under 群众紧急求助, found by subtype
        ("03010000", "其他", "交通", None),  # traffic is not 报警 by default
        ("020301-殴打他人、故意伤害他人身体", "报警", "治安", "殴打他人"),  # 代码-名称
    ],
)
def test_resolves_codes_and_names(table, value, nature, category, offence):
    resolved = table.resolve(value)
    assert (resolved.nature, resolved.category, resolved.offence) == (nature, category, offence)


def test_unknown_value_is_none(table):
    assert table.resolve("XYZ123") is None
    assert table.resolve("天气不好") is None


def test_subtype_columns_do_not_guess_a_category_from_a_bare_name(table):
    assert table.resolve("盗窃", by_name=False) is None


def test_editing_one_top_row_changes_its_whole_subtree(tmp_path):
    source = load_table()
    rows = [dict(r) for r in source.rows.values()]
    for row in rows:
        if row["code"] == "03":
            row["nature"] = "报警"
    path = tmp_path / "codes.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    edited = CodeTable.load(path)
    assert edited.resolve("03010000").nature == "报警"
    assert edited.resolve("交通类警情").nature == "报警"
