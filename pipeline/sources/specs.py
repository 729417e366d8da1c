"""The header alias tables of every source kind: Chinese header → snake_case field.

This is the one place where Chinese column names exist; downstream code only sees the
fields. Canonical names and aliases come from docs/data-contract.md (including its
"Real exports" section); additions are listed in docs/data-contract-decisions.md.
"""

from __future__ import annotations

from zhian.pipeline.ingest.classify import SourceSpec


def _names(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field_name, headers in groups:
        for header in headers:
            out[header] = field_name
    return out


_UNIT = ("管辖单位", "处警单位", "所属派出所", "管辖派出所", "派出所", "派出所名称", "办案单位", "主办单位", "责任单位")
_BUREAU = ("所属分局", "分局")
_COMPOUND_HINT = ("所属小区", "小区", "小区名称")

ALERTS = SourceSpec(
    kind="alerts",
    label="110警情",
    priority=4,
    columns=_names(
        (
            "alert_id",
            (
                "警情编号",
                "接警单编号",
                "接警编号",
                "警情号",
                "警情ID",
                "接警号",
                "事件单编号",
                "警情单编号",
                "接处警编号",
            ),
        ),
        ("alarm_at", ("报警时间", "接警时间", "报警日期", "报警日期时间", "接报时间")),
        ("nature", ("警情性质", "警情分类", "报警性质", "确认警情性质", "确认性质")),
        ("nature_original", ("原始警情性质", "原始性质")),
        ("category", ("警情类别", "警情大类")),
        ("alert_type", ("警情类型", "警情细类", "警情小类", "案件类型", "类型", "接警类型")),
        ("code", ("确认警情编码", "警情编码", "警情性质编码", "警情类别代码", "警情类型代码")),
        ("code_original", ("原始警情编码",)),
        (
            "address",
            (
                "事发地址",
                "案发地址",
                "发生地点",
                "事发地点",
                "报警地址",
                "警情地址",
                "涉案地址",
                "发案地点",
                "发案地址",
            ),
        ),
        ("compound_hint", _COMPOUND_HINT),
        ("unit", _UNIT),
        ("bureau", _BUREAU),
        ("summary", ("简要警情", "警情摘要", "简要案情", "报警内容", "事件详情")),
        ("handling", ("处警情况", "处警结果", "处警反馈")),
        ("caller_name", ("报警人", "报警人姓名")),
        ("caller_phone", ("联系电话", "报警电话", "报警人电话", "报警人联系电话")),
        ("is_major", ("是否重大", "重大事故", "重大警情", "是否重大警情")),
    ),
    required=(("alert_id",), ("alarm_at",), ("address", "compound_hint")),
    key_fields=frozenset(
        {"alert_id", "alarm_at", "nature", "category", "alert_type", "code", "address", "compound_hint", "is_major"}
    ),
)

CASES = SourceSpec(
    kind="cases",
    label="案件",
    priority=3,
    columns=_names(
        ("case_id", ("案件编号", "案件号", "案件ID")),
        ("case_type", ("案件类型",)),  # the kind (行政/刑事) in real exports; a subtype elsewhere
        ("case_nature", ("案件性质",)),
        ("cause", ("案件类别", "罪名", "案由", "违法行为", "案由名称", "案别")),
        ("cause_code", ("案由代码", "案件类别代码", "案别代码")),
        ("occurred_at", ("发案时间", "案发时间")),
        ("address", ("发案地址", "案发地址", "发案地点", "案发地点")),
        ("compound_hint", _COMPOUND_HINT),
        ("filed_at", ("立案时间", "立案日期")),
        ("accepted_at", ("受理时间", "受理日期", "受案时间", "受案日期")),
        ("solved_at", ("破案时间", "破案日期")),
        ("closed_at", ("结案时间", "结案日期", "办结时间")),
        ("status", ("案件状态", "状态", "办理状态")),
        ("status_name", ("案件状态名称",)),
        ("is_solved", ("是否破案",)),
        ("result", ("处理结果", "处罚结果", "处理决定", "裁决结果")),
        ("flag_warning", ("警告",)),
        ("flag_fine", ("罚款",)),
        ("flag_detention", ("治拘", "行政拘留")),
        ("count_detained", ("拘留人数",)),
        ("count_fined", ("罚款人数",)),
        ("count_warned", ("警告人数",)),
        ("punished_at", ("处罚时间", "处罚日期")),
        ("is_completed", ("是否既遂", "既遂/未遂", "既未遂", "既遂未遂")),
        ("is_victim_accountant", ("受害人是否财会人员", "是否财会人员", "财会人员")),
        ("loss_amount", ("损失金额", "损失金额(元)", "涉案金额", "涉案金额(元)")),
        ("unit", _UNIT),
        ("summary", ("简要案情", "案情摘要")),
    ),
    required=(("case_id",), ("filed_at", "accepted_at"), ("cause", "cause_code", "case_type")),
    key_fields=frozenset(
        {
            "case_id",
            "case_type",
            "case_nature",
            "cause",
            "filed_at",
            "accepted_at",
            "solved_at",
            "closed_at",
            "status",
            "is_solved",
            "result",
            "is_completed",
            "is_victim_accountant",
            "address",
            "compound_hint",
        }
    ),
)

PENALTIES = SourceSpec(
    kind="penalties",
    label="处罚决定",
    priority=2,
    columns=_names(
        ("case_id", ("案件编号", "案件号", "案件ID")),
        ("decision_id", ("决定书ID", "处罚决定书ID", "决定书编号", "决定书文号", "处罚决定书文号")),
        ("penalty_type", ("处罚种类", "处罚类型", "处理种类")),
        ("approved_at", ("审批时间", "批准时间", "决定时间", "处罚时间")),
        ("doc_status", ("文书状态",)),
        ("person_name", ("被处罚人", "被处罚人姓名", "违法行为人")),
    ),
    required=(("case_id",), ("decision_id", "penalty_type")),
    key_fields=frozenset({"case_id", "decision_id", "penalty_type", "approved_at", "doc_status"}),
)

RESIDENTS = SourceSpec(
    kind="residents",
    label="实有人口",
    priority=5,
    columns=_names(
        ("person_id", ("公民身份号码", "身份证号", "身份证号码", "公民身份证号")),
        ("doc_id", ("证件号码", "证件号码(境外)", "护照号码", "居住证号码")),
        ("name", ("姓名",)),
        ("population_type", ("人口类型", "人员类别", "人员类型")),
        ("is_permanent", ("是否常住",)),
        ("address", ("居住地址", "现住址", "实际居住地址", "现住门(楼)详址", "现住地详址", "现住地址")),
        ("household_address", ("户籍门(楼)详址", "户籍地详址", "户籍地址", "户籍地")),
        ("compound_hint", _COMPOUND_HINT),
        ("registered_at", ("登记日期", "采集日期", "登记时间", "采集时间", "到达时间", "迁入时间", "寄住时间")),
        ("verification", ("核查结果", "核查状态", "是否准确")),
        ("verified_at", ("核实时间", "核签时间", "核查时间")),
        ("phone", ("联系电话", "手机号码")),
        ("unit", _UNIT),
    ),
    required=(("person_id", "doc_id"), ("address", "compound_hint")),
    key_fields=frozenset(
        {"person_id", "doc_id", "population_type", "address", "compound_hint", "registered_at", "verification"}
    ),
)

REGISTRY = SourceSpec(
    kind="registry",
    label="小区名册",
    priority=6,
    columns=_names(
        ("compound_name", ("小区名称", "小区", "小区(单位)名称", "实体名称", "老旧小区名称")),
        ("compound_group", ("小区组",)),
        ("address", ("详细地址", "所在地详址", "地址名称", "楼栋详址", "地址", "小区地址")),
        ("road", ("街路巷",)),
        ("house_number", ("门牌号", "门牌号码")),
        ("community", ("所属社区", "社区", "所属居委", "居委会")),
        ("street", ("所属街道", "街道", "乡镇街道", "街道(乡镇)", "所属镇街")),
        ("unit", _UNIT),
        ("population_base", ("实有人口底数", "人口底数", "常住人口估算")),
        ("aliases", ("别名", "曾用名", "俗称")),
        ("buildings", ("楼栋", "楼栋数")),
        ("units", ("单元", "单元数")),
        ("remark", ("备注",)),
        ("plan_period", ("整治时间",)),
    ),
    required=(("compound_name",), ("address", "road")),
    key_fields=frozenset(
        {"compound_name", "address", "road", "house_number", "community", "population_base", "aliases"}
    ),
)

TARGETS = SourceSpec(
    kind="targets",
    label="整治目标",
    priority=1,
    columns=_names(
        ("campaign", ("整治项目", "项目名称", "整治项目名称")),
        ("compounds", ("小区", "小区名称", "整治小区")),
        ("start_date", ("开始日期", "开始时间", "起始日期")),
        ("end_date", ("结束日期", "结束时间", "截止日期")),
        ("metric", ("指标", "指标名称", "考核指标")),
        ("target", ("目标", "目标值", "考核目标")),
    ),
    required=(("campaign",), ("compounds",), ("start_date",), ("end_date",), ("metric",), ("target",)),
    key_fields=frozenset({"campaign", "compounds", "start_date", "end_date", "metric", "target"}),
)

ALL_SPECS = [TARGETS, PENALTIES, CASES, ALERTS, RESIDENTS, REGISTRY]
BY_KIND = {spec.kind: spec for spec in ALL_SPECS}
