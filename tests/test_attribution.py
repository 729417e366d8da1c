"""Compound attribution, one test per rule of the data contract. A wrong attribution is
worse than none: ambiguous cases stay unattributed, with the reason."""

import pytest

from tests.conftest import run_ingest, write_registry, write_sheet
from zhian.pipeline.ingest.attribute import METHOD_ADDRESS, METHOD_HINT, METHOD_NAME, Registry

REGISTRY = Registry.build(
    [
        ("花园小区", "凤仙花园"),
        ("滨湖公寓", None),
        ("银湖鞋业宿舍", None),
        ("和祥小区", "和祥苑"),
        ("二小区", None),
        ("茵芳小区", None),
        ("青年小区", None),
        ("和谐二小区", None),
    ],
    [
        ("花园小区", "凤仙路457号附1号"),
        ("花园小区", "凤仙路457号附2号"),
        ("花园小区", "凤仙路443号"),
        ("滨湖公寓", "滨湖路1546号"),
        ("银湖鞋业宿舍", "凤仙路477号附1、2、3号"),
        ("和祥小区", "凤仙路455号-457号"),
        ("二小区", "滨湖路1580号"),
        ("茵芳小区", "涞寅路188弄"),
        ("青年小区", "青年路12-1号"),
    ],
)


def attribute(address=None, hint=None):
    return REGISTRY.attribute(hint, address)


@pytest.mark.parametrize(
    ("hint", "expected"), [("花园小区", "花园小区"), ("凤仙花园", "花园小区"), (" 花园 小区 ", "花园小区")]
)
def test_rule1_compound_hint_names_a_compound_or_alias(hint, expected):
    result = attribute("随便写的地址", hint)
    assert (result.compound, result.method) == (expected, METHOD_HINT)


@pytest.mark.parametrize(
    "address",
    [
        "凤仙路457号附2号",
        "凤仙路457号附2号3单元501",
        "凤仙路457附2号",
        "凤仙路457号附2",
        "凤仙路457号之2",
        "凤仙路457-2号",
        "重庆市万州区沙河街道凤仙路457号附2号",
        "凤仙路457号附2号（小卖部）",
        "凤仙路457号附2号门口",
        "凤仙路４５７号附２号",
    ],
)
def test_rule2_address_spellings_of_one_annex(address):
    result = attribute(address)
    assert (result.compound, result.method) == ("花园小区", METHOD_ADDRESS), result


def test_rule2_building_and_room_after_the_number_are_ignored():
    assert attribute("滨湖路1546号5-1").compound == "滨湖公寓"
    assert attribute("滨湖路1546号3栋2单元").compound == "滨湖公寓"


def test_rule2_list_of_annexes_covers_each():
    assert {attribute(f"凤仙路477号附{i}号").compound for i in (1, 2, 3)} == {"银湖鞋业宿舍"}
    assert attribute("凤仙路477号附4号").compound is None


def test_rule2_range_covers_every_number_in_it():
    assert attribute("凤仙路456号").compound == "和祥小区"


def test_rule2_lane_numbers_are_not_house_numbers():
    assert attribute("九亭镇涞寅路188弄12号301室").compound == "茵芳小区"
    assert attribute("涞寅路188号").compound is None


def test_rule2_annex_is_not_the_main_number():
    assert attribute("滨湖路1546号附1号").compound is None
    assert attribute("凤仙路457号").compound == "和祥小区"  # 457 is in 和祥小区's range, not 花园小区's annexes


def test_rule2_community_names_before_the_road_are_dropped():
    assert attribute("凤仙路社区凤仙路443号").compound == "花园小区"


def test_ambiguous_hyphen_without_hao_stays_unattributed():
    result = attribute("凤仙路443-2")
    assert result.compound is None and "两种读法" in result.note


def test_masked_address_never_matches():
    result = attribute("凤仙路4**号")
    assert result.compound is None and "脱敏" in result.note


def test_rule3_compound_name_contained_in_the_address():
    result = attribute("沙河街道和祥苑3栋")
    assert (result.compound, result.method) == ("和祥小区", METHOD_NAME)


def test_rule3_a_name_inside_a_longer_name_does_not_count():
    assert attribute("某某路和谐二小区3栋").compound == "和谐二小区"


def test_rule3_two_compound_names_in_one_address_is_ambiguous():
    result = attribute("花园小区与滨湖公寓之间")
    assert result.compound is None and "多个小区名" in result.note


def test_rule4_unknown_hint_and_unknown_address_stay_unattributed_with_reason():
    result = attribute("白岩路1号", "不存在小区")
    assert result.compound is None and "不在小区名册中" in result.note


def test_no_fuzzy_matching():
    assert attribute("凤仙路458号").compound is None  # a neighbouring number is not close enough
    assert attribute("花园小区x", None).compound == "花园小区"  # an exact name inside is fine
    assert attribute(None, "花园小").compound is None


def test_hyphen_annex_with_hao():
    assert attribute("青年路12-1号").compound == "青年小区"


def test_attribution_is_refreshed_when_the_registry_arrives_later(inbox, fresh_db):
    write_sheet(
        inbox,
        "警情.xlsx",
        ["警情编号", "报警时间", "警情性质", "事发地址"],
        [["J1", "2022-07-01", "报警", "凤仙路457号附1号"]],
    )
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select compound from alerts").fetchone()[0] is None
    write_registry(inbox)
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select compound, attribution from alerts").fetchone() == ("花园小区", METHOD_ADDRESS)


def test_unattributed_records_are_kept_and_counted(inbox, fresh_db):
    write_registry(inbox)
    write_sheet(
        inbox,
        "警情.xlsx",
        ["警情编号", "报警时间", "警情性质", "事发地址"],
        [["J1", "2022-07-01", "报警", "凤仙路457号附1号"], ["J2", "2022-07-01", "报警", "白岩路9号"]],
    )
    report = run_ingest(inbox, fresh_db)
    assert {f.source_file: f.rows_unattributed for f in report.files}["警情.xlsx"] == 1
    assert fresh_db.execute("select alert_id, compound, attribution_note from alerts order by 1").fetchall() == [
        ("J1", "花园小区", None),
        ("J2", None, "地址的门牌号不在小区名册中"),
    ]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("天城大道88号十二小区", None),
        ("凤仙路第二小区", None),
        ("和二小区3栋", None),
        ("二小区5栋", "二小区"),
        ("沙河街道二小区", "二小区"),
        ("申明坝滨湖公寓3栋", "滨湖公寓"),
        ("学校与滨湖公寓之间", "滨湖公寓"),
    ],
)
def test_rule3_only_whole_names_count(address, expected):
    assert attribute(address).compound == expected
