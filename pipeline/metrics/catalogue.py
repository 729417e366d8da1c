"""The metric catalogue (指标口径): the one place that says what each metric is.

Read by the target parser (names and codes a 整治目标 sheet may use), the metric runner
(which SQL family computes a metric; its records come from `sql/metrics/records/<code>.sql`),
and the notes of the dashboard and the report. Adding a metric means adding one entry here
and one records file there — nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhian.pipeline.values.text import compact

# A baseline count or a denominator under this is a small base: the change or the rate is
# shown with a caution (the evaluation stores the cutoff it used; the families read it there).
LOW_BASE_CUTOFF = 30

COUNT_CHANGE = "count_change"
RATE = "rate"
ZERO_COUNT = "zero_count"
STOCK_RATE = "stock_rate"
# over the campaign ledgers (sql/metrics/ledger_metrics.sql): a share of items, facilities,
# checklist points or answers as they stand on as_of; a count of open items
LEDGER_RATE = "ledger_rate"
LEDGER_COUNT = "ledger_count"

KIND_NAMES = {
    COUNT_CHANGE: "同比变化",
    RATE: "比率",
    ZERO_COUNT: "不发生",
    STOCK_RATE: "存量比率",
    LEDGER_RATE: "台账比率",
    LEDGER_COUNT: "台账计数",
}
# what outputs show as a rate (numerator / denominator, a percentage) and as a count
RATE_KINDS = (RATE, STOCK_RATE, LEDGER_RATE)
COUNT_KINDS = (ZERO_COUNT, LEDGER_COUNT)
LEDGER_KINDS = (LEDGER_RATE, LEDGER_COUNT)


@dataclass(frozen=True)
class Metric:
    code: str
    name: str  # Chinese name as the campaign plans spell it
    kind: str
    records: str  # alerts, criminal, public_order, residents
    definition: str  # Chinese, for the 口径说明 notes
    unit: str  # 起, 件, %
    aliases: tuple[str, ...] = ()
    # stock rates only: the denominator is the registry's 实有人口底数, not a count of records
    denominator_is_population_base: bool = False

    @property
    def records_sql(self) -> str:
        """Its records: record_id, compound, event_date, done_date, is_done_undated — one row each."""
        return f"metrics/records/{self.code}.sql"


CATALOGUE: tuple[Metric, ...] = (
    Metric(
        "alarm_calls_yoy",
        "报警类110警情同比",
        COUNT_CHANGE,
        "alerts",
        "警情性质为“报警”的110警情数，与上年同期相比",
        "起",
        ("报警类110同比", "报警类110警情", "报警类警情同比", "报警类110"),
    ),
    Metric(
        "gambling_alerts_yoy",
        "涉赌警情同比",
        COUNT_CHANGE,
        "alerts",
        "警情类型为赌博的警情数（无效警情除外），与上年同期相比",
        "起",
        ("涉赌警情", "涉赌警情下降"),
    ),
    Metric(
        "criminal_cases_yoy",
        "刑事案件同比",
        COUNT_CHANGE,
        "criminal",
        "立案的刑事案件数（撤案、并案除外），与上年同期相比",
        "件",
        ("刑事案件发案率同比", "刑事案件发案同比", "刑事发案同比"),
    ),
    Metric(
        "telecom_fraud_completed_yoy",
        "电网诈既遂案件同比",
        COUNT_CHANGE,
        "criminal",
        "电信网络诈骗刑事案件中既遂的案件数，与上年同期相比",
        "件",
        ("电网诈既遂案件", "电信网络诈骗既遂案件同比"),
    ),
    Metric(
        "dispute_alerts_yoy",
        "纠纷警情同比",
        COUNT_CHANGE,
        "alerts",
        "警情类别或类型为纠纷的警情数，与上年同期相比",
        "起",
        ("纠纷警情", "矛盾纠纷警情同比"),
    ),
    Metric(
        "criminal_clearance_rate",
        "刑事案件破案率",
        RATE,
        "criminal",
        "本期立案的刑事案件中，截至评估日已破案的比例（撤案、并案不计入分子分母）",
        "%",
        ("破案率",),
    ),
    Metric(
        "theft_clearance_rate",
        "盗窃案件破案率",
        RATE,
        "criminal",
        "本期立案的盗窃刑事案件中，截至评估日已破案的比例",
        "%",
        (),
    ),
    Metric(
        "fraud_clearance_rate",
        "诈骗案件破案率",
        RATE,
        "criminal",
        "本期立案的诈骗刑事案件（含电信网络诈骗，默认不含合同、信用卡、集资等经济犯罪诈骗）中，截至评估日已破案的比例",
        "%",
        (),
    ),
    Metric(
        "telecom_fraud_clearance_rate",
        "电网诈案件破案率",
        RATE,
        "criminal",
        "本期立案的电信网络诈骗刑事案件中，截至评估日已破案的比例",
        "%",
        ("电信网络诈骗案件破案率", "电网诈破案率"),
    ),
    Metric(
        "public_order_closure_rate",
        "治安案件结案率",
        RATE,
        "public_order",
        "本期受理的治安案件中，截至评估日已结案的比例（撤销、并案不计入）",
        "%",
        ("结案率",),
    ),
    Metric(
        "property_damage_closure_rate",
        "故意损毁财物结案率",
        RATE,
        "public_order",
        "本期受理的故意损毁财物治安案件中，截至评估日已结案的比例",
        "%",
        ("故意毁坏财物结案率",),
    ),
    Metric(
        "assault_punishment_rate",
        "殴打他人处罚率",
        RATE,
        "public_order",
        "本期受理的殴打他人治安案件中，截至评估日已作出处罚的比例",
        "%",
        (),
    ),
    Metric(
        "theft_punishment_rate",
        "盗窃案件处罚率",
        RATE,
        "public_order",
        "本期受理的盗窃治安案件中，截至评估日已作出处罚的比例",
        "%",
        ("盗窃处罚率",),
    ),
    Metric(
        "vice_punishment_rate",
        "黄赌处罚率",
        RATE,
        "public_order",
        "本期受理的卖淫嫖娼、赌博治安案件中，截至评估日已作出处罚的比例",
        "%",
        ("黄赌案件处罚率",),
    ),
    Metric(
        "provocation_punishment_rate",
        "寻衅滋事处罚率",
        RATE,
        "public_order",
        "本期受理的寻衅滋事治安案件中，截至评估日已作出处罚的比例",
        "%",
        (),
    ),
    Metric(
        "accountant_fraud_cases",
        "有责财会人员被骗案件",
        ZERO_COUNT,
        "criminal",
        "受害人为财会人员的诈骗刑事案件（含电信网络诈骗）数，目标为不发生",
        "件",
        ("财会人员被骗案件", "有责财会人员被骗"),
    ),
    Metric(
        "major_fire_incidents",
        "重大火灾事故",
        ZERO_COUNT,
        "alerts",
        "类别或类型为火灾（含“火灾事故”，不论类别）且标记为重大的警情数，目标为不发生",
        "起",
        ("有影响的重大火灾事故", "重大火灾"),
    ),
    Metric(
        "population_registration_rate",
        "实有人口采集登记率",
        STOCK_RATE,
        "residents",
        "截至评估日已登记、归属该小区的实有人口数（按证件号码去重）÷ 小区名册中的实有人口底数",
        "%",
        ("实有人口登记率", "采集登记率"),
        denominator_is_population_base=True,
    ),
    Metric(
        "population_accuracy_rate",
        "实有人口准确率",
        STOCK_RATE,
        "residents",
        "已核查的实有人口中核查结果为准确的比例（未核查的不计入）",
        "%",
        ("准确率", "实有人口采集准确率"),
    ),
    # --- the campaign ledgers (seeds 000–004) ------------------------------------------------
    Metric(
        "ledger_signoff_rate",
        "整改销号率",
        LEDGER_RATE,
        "ledger",
        "整治台账中该小区（含“全部”）到期的事项中，截至评估日已销号的比例；未到期的事项另列，不计入",
        "%",
        ("销号率", "整改完成率", "任务完成率", "问题销号率", "问题整改销号率"),
    ),
    Metric(
        "overdue_items",
        "逾期未销号事项",
        LEDGER_COUNT,
        "ledger",
        "完成时限早于评估日、截至评估日仍未销号的台账事项数，目标通常为不发生；台账中没有该小区的事项时为无数据",
        "项",
        ("逾期事项", "逾期未完成事项", "逾期未整改问题"),
    ),
    Metric(
        "cctv_coverage_rate",
        "技防监控覆盖率",
        LEDGER_RATE,
        "facilities",
        "技防设施表中该小区监控的已装点位数 ÷ 应装点位数，取评估日前最近一次统计",
        "%",
        ("监控覆盖率", "技防覆盖率", "视频监控覆盖率"),
    ),
    Metric(
        "lighting_ok_rate",
        "照明完好率",
        LEDGER_RATE,
        "facilities",
        "技防设施表中该小区照明的完好数 ÷ 应有数，取评估日前最近一次统计",
        "%",
        ("路灯完好率", "照明设施完好率"),
    ),
    Metric(
        "five_haves_met",
        "五有达标",
        LEDGER_RATE,
        "five_haves",
        "评估日前最近一次五有核验中，评估日前已做到的项数 ÷ 5（有业主自治组织、有安全防护设施、有基本物业服务、"
        "有干净整洁环境、有长效管理机制），五项都做到为达标",
        "%",
        ("五有", "五有小区", "五有达标率"),
    ),
    Metric(
        "satisfaction_rate",
        "群众满意度",
        LEDGER_RATE,
        "surveys",
        "整治期内满意度调查的（满意 + 基本满意）÷ 有效回答（“不了解”不计入）；整治期内没有调查时取评估日前最近一次",
        "%",
        ("满意度", "群众满意率", "居民满意度"),
    ),
)

BY_CODE = {m.code: m for m in CATALOGUE}
# the metrics counted from 110 alerts (the dashboard's and the report's hour × weekday view)
ALERT_METRICS = [m.code for m in CATALOGUE if m.records == "alerts"]


def _key(text: str) -> str:
    return compact(text) or ""  # full-width brackets are already half-width


_BY_NAME: dict[str, Metric] = {}
for _metric in CATALOGUE:
    for _name in (_metric.code, _metric.name, *_metric.aliases):
        _BY_NAME[_key(_name)] = _metric


def find(text: str | None) -> Metric | None:
    """A metric by code, Chinese name or alias (after width normalisation, without spaces)."""
    if text is None:
        return None
    key = _key(text)
    if key in _BY_NAME:
        return _BY_NAME[key]
    # `报警类110警情同比下降` / `刑事案件破案率达` : a name followed by a target word
    for suffix in ("下降", "上升", "达到", "达", "不低于", "不少于", "以上"):
        if key.endswith(suffix) and key[: -len(suffix)] in _BY_NAME:
            return _BY_NAME[key[: -len(suffix)]]
    return None


def markdown_table() -> str:
    """The catalogue as docs/metrics.md shows it (a test keeps the page in step)."""
    lines = ["| code | 指标 | kind | records | 口径 |", "| --- | --- | --- | --- | --- |"]
    for metric in CATALOGUE:
        lines.append(f"| `{metric.code}` | {metric.name} | {metric.kind} | {metric.records} | {metric.definition} |")
    return "\n".join(lines)


# words of a plan's sentence that qualify a metric without changing what is counted: kept in
# the target's note
QUALIFIERS = ("有影响的", "有责")
# words a plan puts before its target (确保不发生, 力争下降20%): dropped when reading it
PLEDGES = ("确保", "力争", "实现", "做到")
_SEPARATORS = "、，,和及与"


@dataclass(frozen=True)
class Phrase:
    """A plan's sentence pasted into the 指标 cell: the metrics it names, the target phrase."""

    metrics: tuple[Metric, ...]
    target: str
    qualifiers: tuple[str, ...]


def split_phrase(text: str | None) -> Phrase | None:
    """`治安案件结案率达75%` → (治安案件结案率, 达75%); `确保不发生有影响的重大火灾事故` →
    (重大火灾事故, 确保不发生, 有影响的); `实有人口采集登记率、准确率达到98%以上` → two metrics,
    one target. The longest catalogue names found win; None when no name is found or nothing
    is left for a target."""
    if text is None:
        return None
    key = _key(text)
    names = sorted((n for n in _BY_NAME if not n.isascii()), key=len, reverse=True)
    taken = [False] * len(key)
    found: list[tuple[int, Metric]] = []
    for name in names:
        start = key.find(name)
        while start >= 0:
            if not any(taken[start : start + len(name)]):
                found.append((start, _BY_NAME[name]))
                for i in range(start, start + len(name)):
                    taken[i] = True
            start = key.find(name, start + 1)
    if not found:
        return None
    rest = "".join(c for c, t in zip(key, taken, strict=True) if not t).strip(_SEPARATORS)
    for word in PLEDGES:
        rest = rest.removeprefix(word)
    qualifiers = tuple(q for q in QUALIFIERS if q in key)
    for qualifier in qualifiers:
        rest = rest.replace(qualifier, "")
    rest = rest.strip(_SEPARATORS)
    if not rest:
        return None
    metrics = tuple(dict.fromkeys(m for _, m in sorted(found, key=lambda f: f[0])))
    return Phrase(metrics, rest, qualifiers)


def closest(text: str, n: int = 3) -> list[str]:
    """The catalogue's Chinese names nearest to an unknown metric text (for the message)."""
    import difflib

    pool = {**{m.name: m.name for m in CATALOGUE}, **{_key(a): m.name for m in CATALOGUE for a in m.aliases}}
    hits = difflib.get_close_matches(_key(text), list(pool), n=n * 2, cutoff=0.35)
    return list(dict.fromkeys(pool[h] for h in hits))[:n]
