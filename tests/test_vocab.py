"""Value vocabularies (data contract: Value vocabularies and Real exports)."""

import polars as pl
import pytest

from zhian.pipeline.settings import Settings
from zhian.pipeline.sources.common import boolean_expr
from zhian.pipeline.values import vocab


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("报警", "报警"),
        ("报警类", "报警"),
        ("求助类", "求助"),
        ("投诉", "投诉"),
        ("举报", "举报"),
        ("咨询", "咨询"),
        ("无效", "无效"),
        ("骚扰/误拨", "无效"),
        ("骚扰", "无效"),
        ("误拨", "无效"),
        ("其它类", None),
    ],
)
def test_nature_words(raw, expected):
    assert vocab.nature_word(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("刑事", "刑事"),
        ("刑事警情", "刑事"),
        ("治安类", "治安"),
        ("交通", "交通"),
        ("火灾警情", "火灾"),
        ("纠纷", "纠纷"),
        ("灾害事故", "灾害事故"),
        ("其他", "其他"),
        ("行政（治安）", "治安"),
        ("天气", None),
    ],
)
def test_category_words_with_or_without_suffix(raw, expected):
    assert vocab.category_word(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("入室盗窃", "盗窃"),
        ("盗窃电动车", "盗窃"),
        ("偷车", "盗窃"),
        ("盗窃（刑事）", "盗窃"),
        ("盗窃案", "盗窃"),
        ("诈骗", "诈骗"),
        ("接触性诈骗", "诈骗"),
        ("电信诈骗", "电信网络诈骗"),
        ("网络诈骗", "电信网络诈骗"),
        ("电诈", "电信网络诈骗"),
        ("电网诈", "电信网络诈骗"),
        ("电信网络诈骗（刑事）", "电信网络诈骗"),
        ("抢劫", "抢劫"),
        ("抢夺", "抢夺"),
        ("聚众赌博", "赌博"),
        ("开设赌场罪", "赌博"),
        ("为赌博提供条件", "赌博"),
        ("涉赌博违法行为", "赌博"),
        ("网络赌博", "赌博"),
        ("跨境赌博", "赌博"),
        ("卖淫", "卖淫嫖娼"),
        ("嫖娼", "卖淫嫖娼"),
        ("涉黄", "卖淫嫖娼"),
        ("容留卖淫", "卖淫嫖娼"),
        ("卖淫嫖娼淫秽等活动", "卖淫嫖娼"),
        ("殴打他人", "殴打他人"),
        ("打架斗殴", "殴打他人"),
        ("殴打他人、故意伤害他人身体", "殴打他人"),
        ("故意伤害", "故意伤害"),
        ("故意损毁财物", "故意损毁财物"),
        ("故意毁坏财物", "故意损毁财物"),
        ("故意毁坏公私财物", "故意损毁财物"),
        ("寻衅滋事", "寻衅滋事"),
        ("强拿硬要或任意损毁、占用公私财物", None),
        ("设赌诈骗", "诈骗"),
        ("邻里纠纷", "纠纷"),
        ("火灾事故", "火灾"),
        ("噪音扰民", None),
    ],
)
def test_offence_of_subtype_text_with_precedence(raw, expected):
    assert vocab.offence_of(raw) == expected


@pytest.mark.parametrize("raw", ["合同诈骗", "信用卡诈骗", "集资诈骗"])
def test_economic_frauds_are_flagged(raw):
    frauds = Settings.load().economic_frauds
    assert vocab.is_economic_fraud(raw, frauds)
    assert not vocab.is_economic_fraud("电信网络诈骗", frauds)


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("已立案", "criminal", "filed"),
        ("侦查中", "criminal", "filed"),
        ("已破案", "criminal", "solved"),
        ("移送起诉", "criminal", "solved"),
        ("已起诉", "criminal", "solved"),
        ("已撤案", "criminal", "withdrawn"),
        ("已撤销", "criminal", "withdrawn"),
        ("已合并", "criminal", "merged"),
        ("0202-已立案", "criminal", "filed"),
        ("0202", "criminal", "filed"),
        ("已受理", "public_order", "accepted"),
        ("办理中", "public_order", "accepted"),
        ("已受案", "public_order", "accepted"),
        ("已结案", "public_order", "closed"),
        ("已处罚", "public_order", "closed"),
        ("已调解", "public_order", "closed"),
        ("0108", "public_order", "closed"),
        ("撤销", "public_order", "withdrawn"),
        ("不予受理", "public_order", "withdrawn"),
        ("已合并", "public_order", "merged"),
        ("审核中", "criminal", None),
    ],
)
def test_case_status_words_and_codes(raw, kind, expected):
    assert vocab.case_status(raw, kind) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("行政拘留10日", True),
        ("罚款500元", True),
        ("警告", True),
        ("吊销许可证", True),
        ("没收违法所得", True),
        ("责令停产停业", True),
        ("暂扣", True),
        ("收缴", True),
        ("限期出境", True),
        ("驱逐出境", True),
        ("不予处罚", False),
        ("调解结案", False),
        ("撤销", False),
        ("", None),
    ],
)
def test_penalty_words(raw, expected):
    assert vocab.is_penalty(raw or None) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        ("√", True),
        ("TRUE", True),
        ("false", False),
        ("既遂", True),
        ("未遂", False),
        (None, None),
    ],
)
def test_booleans(raw, expected):
    frame = pl.DataFrame({"v": [raw]}, schema={"v": pl.String})
    assert frame.select(boolean_expr("v"))["v"][0] is expected


def test_unknown_boolean_is_empty_for_the_parsed_rule_to_reject():
    frame = pl.DataFrame({"v": ["也许"]}, schema={"v": pl.String})
    assert frame.select(boolean_expr("v"))["v"][0] is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("户籍人口", "户籍"),
        ("常住", "户籍"),
        ("常口", "户籍"),
        ("流动人口", "流动"),
        ("暂住", "流动"),
        ("流口", "流动"),
        ("境外人员", "境外"),
        ("寄住", "寄住"),
        ("寄口", "寄住"),
        ("未落户", "未落户"),
        ("外来人员", None),
    ],
)
def test_population_types(raw, expected):
    assert vocab.population_type(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("九亭派出所常住人口", "户籍"),
        ("流动人口", "流动"),
        ("寄住人口", "寄住"),
        ("境外人员2022", "境外"),
        ("人口", None),
    ],
)
def test_population_type_from_sheet_or_file_name(name, expected):
    assert vocab.population_type_from_name(name) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("准确", "准确"),
        ("正确", "准确"),
        ("是", "准确"),
        ("不准确", "不准确"),
        ("错误", "不准确"),
        ("否", "不准确"),
        ("未核查", "未核查"),
        (None, "未核查"),
        ("待定", None),
    ],
)
def test_verification_results(raw, expected):
    assert vocab.verification(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("刑事", "criminal"),
        ("02", "criminal"),
        ("02-刑事", "criminal"),
        ("行政", "public_order"),
        ("01", "public_order"),
        ("治安", "public_order"),
        ("行政（治安）", "public_order"),
        ("盗窃", None),
    ],
)
def test_case_kind_words_and_codes(raw, expected):
    assert vocab.case_kind(raw) == expected
