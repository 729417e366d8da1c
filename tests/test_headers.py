"""Classifying a sheet by its header row; every alias of every source kind."""

import pytest

from zhian.pipeline.ingest.classify import Classification, Unclassified, classify, export_time_text
from zhian.pipeline.sources import BY_KIND, KINDS

ALERTS, CASES, REGISTRY, RESIDENTS, TARGETS = (
    BY_KIND[k] for k in ("alerts", "cases", "registry", "residents", "targets")
)

MINIMAL = {
    "alerts": ["警情编号", "报警时间", "警情性质", "事发地址"],
    "cases": ["案件编号", "案件类别", "立案时间", "案件状态"],
    "penalties": ["案件编号", "处罚决定书ID", "处罚种类", "审批时间"],
    "residents": ["公民身份号码", "人口类型", "居住地址"],
    "registry": ["小区名称", "详细地址"],
    "targets": ["整治项目", "小区", "开始日期", "结束日期", "指标", "目标"],
    # the campaign ledgers (issue #17)
    "phases": ["整治项目", "阶段", "开始日期", "结束日期"],
    "ledger": ["任务", "小区", "牵头单位", "完成时限", "完成情况"],
    "facilities": ["小区", "设施类型", "应装点位数", "已装点位数", "完好数"],
    "five_haves": ["小区", "有业主自治组织", "有安全防护设施", "有基本物业服务", "有干净整洁环境", "有长效管理机制"],
    "surveys": ["小区", "调查日期", "样本数", "满意", "基本满意", "不满意"],
}


def _aliases():
    for spec in KINDS:
        for header, field in spec.headers.items():
            yield pytest.param(spec, header, field, id=f"{spec.kind}-{header}")


@pytest.mark.parametrize(("spec", "header", "field"), list(_aliases()))
def test_every_alias_maps_to_its_field(spec, header, field):
    base = [h for h in MINIMAL[spec.kind] if spec.lookup(h) != field]
    result = classify([[*base, header]], KINDS)
    assert isinstance(result, Classification), result
    assert result.kind.kind == spec.kind
    assert field in {c.field for c in result.columns}


@pytest.mark.parametrize("kind", list(MINIMAL))
def test_minimal_header_of_each_kind_is_recognised(kind):
    result = classify([MINIMAL[kind]], KINDS)
    assert isinstance(result, Classification) and result.kind.kind == kind


def test_header_found_below_title_rows_and_export_time_read():
    rows = [
        ["沙河派出所2022年7月警情统计", None],
        ["导出时间：2022-08-01 09:00:00", None],
        [None, None],
        MINIMAL["alerts"],
        ["J1", "2022-07-01", "报警", "凤仙路1号"],
    ]
    result = classify(rows, KINDS)
    assert result.header_row == 3
    assert export_time_text(rows[:3]) == "2022-08-01 09:00:00"


@pytest.mark.parametrize("text", ["导出时间：2022年8月1日 9时0分", "打印时间: 2022/8/1 9:00", "导出日期：2022-08-01"])
def test_export_time_spellings(text):
    assert export_time_text([[text]]).startswith("2022")


def test_two_row_header_takes_vertically_merged_names_from_the_group_row():
    group = ["警情编号", "报警时间", "处警信息", None, None]
    names = [None, None, "警情性质", "事发地址", "报警人"]
    result = classify([group, names], KINDS)
    assert result.kind.kind == "alerts" and result.header_rows == 2 and result.header_row == 1
    assert {c.field for c in result.columns} >= {"alert_id", "alarm_at", "nature", "address", "caller_name"}


def test_header_cells_with_star_colon_line_break_and_full_width_brackets():
    result = classify([["序号", "警情编号*", "报警\n时间", "警情性质：", "事发地址"]], KINDS)
    assert result.kind is ALERTS
    assert "序号" in result.unused_headers


def test_english_snake_case_aggregate_sheet_is_skipped_with_reason():
    result = classify([["compound_id", "alert_month", "alert_count"], ["C1", "2021-01", 3]], KINDS)
    assert isinstance(result, Unclassified) and "英文" in result.reason


def test_unrecognised_sheet_names_the_nearest_kind_and_missing_columns():
    result = classify([["警情编号", "事发地址", "备注"]], KINDS)
    assert isinstance(result, Unclassified)
    assert "110警情" in result.reason and "报警时间" in result.reason


def test_empty_sheet_is_reported_as_empty():
    assert "空工作表" in classify([], KINDS).reason


def test_header_beyond_row_twenty_is_not_searched():
    rows = [[f"说明{i}"] for i in range(20)] + [MINIMAL["registry"]]
    assert isinstance(classify(rows, KINDS), Unclassified)


def test_case_register_with_penalty_columns_is_cases_not_penalties():
    header = ["案件编号", "案件类型", "案由", "立案时间", "案件状态", "决定书编号"]
    assert classify([header], KINDS).kind is CASES


def test_resident_sheet_with_only_document_number_is_residents():
    assert classify([["证件号码", "姓名", "现住址"]], KINDS).kind is RESIDENTS


def test_registry_with_split_address_is_registry():
    assert classify([["小区（单位）名称", "街路巷", "门牌号"]], KINDS).kind is REGISTRY


def test_targets_are_preferred_over_other_kinds():
    assert classify([MINIMAL["targets"] + ["详细地址"]], KINDS).kind is TARGETS
