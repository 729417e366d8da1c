"""Metric results in words, for people: targets (下降20%, ≥70%, 不发生), values with their
numerator/denominator, changes, pace sentences and the one-sentence summaries the monthly
report and the dashboard use. One place, so the terminal, the dashboard and the report say
the same thing."""

from __future__ import annotations

from decimal import Decimal

from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.catalogue import LOW_BASE_CUTOFF

STATUS_NAMES = {"met": "达标", "missed": "未达标", "on_track": "进度正常", "at_risk": "有风险", "no_data": "无数据"}
STATE_NAMES = {"not_started": "尚未开始", "not_covered": "无数据覆盖", "running": "进行中", "over": "已结束"}
SIGNIFICANCE_LEVEL = 0.05
NOT_SIGNIFICANT = "变化在正常波动范围内"
SIGNIFICANT = "变化明显，超出正常波动"
# what became of an inbox file
OUTCOME_NAMES = {
    "loaded": "已载入",
    "partly_loaded": "部分载入",
    "rejected": "整个文件被拒绝",
    "skipped": "已跳过",
    "unchanged": "内容未变，已跳过",
    "duplicate": "重复文件，已跳过",
}
# why rows read are more than rows loaded and rejected (the quality tables say it)
READ_SUM_NOTE = "读取行 = 载入行 + 拒绝行 + 空行 + 合计行（空行和合计行不是记录，不载入）"
# the rules a rejected row failed (pipeline/ingest/validate.py)
RULE_NAMES = {
    "required": "缺少必填项",
    "parsed": "格式或取值无法识别",
    "problem": "取值不合规",
    "conflict": "前后取值冲突",
    "after_export": "日期晚于导出时间",
}
# a ledger item's progress (sql/ledger/ledger_items.sql)
LEDGER_STATUS_NAMES = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成待销号", "signed_off": "已销号"}
RATE_DEFINITION_NAMES = {"cohort": "当期", "period": "期间"}
RATE_DEFINITION_NOTES = {"cohort": "按立案/受理时间", "period": "按破案/结案时间"}
LOW_BASE_NOTE = f"基数小于{LOW_BASE_CUTOFF}"

OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


def target_text(kind: str, op: str, value: Decimal | float) -> str:
    """The target as a leader reads it: 下降20%, ≥70%, 不发生."""
    value = Decimal(str(value)).normalize()
    shown = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    if kind == catalogue.COUNT_CHANGE:
        if op in ("<=", "<") and value <= 0:
            return f"下降{shown.lstrip('-')}%" if op == "<=" else f"下降超过{shown.lstrip('-')}%"
        if op in (">=", ">") and value >= 0:
            return f"上升{shown}%"
        return f"变化{OP_WORDS[op]}{shown}%"
    if kind in catalogue.COUNT_KINDS:
        return "不发生" if op == "=" and value == 0 else f"{OP_WORDS[op]}{shown}"
    return f"{OP_WORDS[op]}{shown}%"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def rate_places(row: dict, digits: int = 0) -> int | None:
    """The decimals a rate needs so that its shown value can no longer read as meeting a
    threshold it misses, or as missing one it meets: at least `digits`, at most 3. Decided on
    numerator and denominator, exactly (Decimal), like the status. None without a rate."""
    numerator, denominator = row.get("numerator"), row.get("denominator")
    if row.get("actual") is None or not denominator:
        return None
    exact = Decimal(int(numerator)) * 100 / Decimal(int(denominator))
    op, target = row.get("target_op"), row.get("target_percent")
    for places in range(digits, 4):
        shown = exact.quantize(Decimal(1).scaleb(-places))
        if (
            op is None
            or target is None
            or _holds(shown, op, Decimal(str(target))) == _holds(exact, op, Decimal(str(target)))
        ):
            return places
    return 3


def rate_percent(row: dict, digits: int = 0) -> str:
    """A rate as a percentage with the precision its target needs (`rate_places`):
    1,347/1,376 against ≥98% is "97.89%", never "98%"."""
    places = rate_places(row, digits)
    if places is None:
        return "—"
    exact = Decimal(int(row["numerator"])) * 100 / Decimal(int(row["denominator"]))
    return f"{exact.quantize(Decimal(1).scaleb(-places)):f}%"


def _holds(value: Decimal, op: str, target: Decimal) -> bool:
    return {
        ">=": value >= target,
        ">": value > target,
        "<=": value <= target,
        "<": value < target,
        "=": value == target,
    }[op]


# what is done to a record to count in a rate's numerator, and what a record is (gap wording)
_DONE_WORDS = (
    ("_clearance_rate", "破案", "起"),
    ("_closure_rate", "结案", "起"),
    ("_punishment_rate", "处罚", "起"),
    ("population_registration_rate", "登记", "人"),
    ("population_accuracy_rate", "核实为准确", "人"),
    ("ledger_signoff_rate", "销号", "项"),
    ("cctv_coverage_rate", "安装", "个点位"),
    ("lighting_ok_rate", "修复", "处照明"),
    ("five_haves_met", "做到", "项"),
)


def gap(row: dict) -> tuple[int, str, str, int | None] | None:
    """How far a missed or at-risk target is, in the unit a leader acts on, computed exactly
    from the counts: (6, "差", "起", None) — alerts over what the target allows — or (2,
    "需破案", "起", open) — cases to solve to reach the rate, with how many are still open
    when that is fewer. None when met, on track, without data, or a 不发生 that happened."""
    if row["status"] not in ("missed", "at_risk") or row["actual"] is None:
        return None
    op, target = row["target_op"], Decimal(str(row["target_percent"]))
    if row["kind"] == catalogue.COUNT_CHANGE and row["baseline"] is not None and op in ("<=", "<"):
        actual, baseline = int(row["actual"]), int(row["baseline"])
        limit = Decimal(baseline) * (100 + target) / 100  # the count the target allows
        allowed = int(limit.to_integral_value(rounding="ROUND_FLOOR"))
        if op == "<" and allowed == limit:
            allowed -= 1
        if allowed >= 0 and actual > allowed:
            return actual - allowed, "差", "起", None
        return None
    if (
        row["kind"] in catalogue.RATE_KINDS
        and (op in (">=", ">") or (op == "=" and target == 100))
        and row["denominator"]
    ):
        numerator, denominator = int(row["numerator"]), int(row["denominator"])
        short = target * denominator - 100 * numerator  # in hundredths of a record
        needed = int((short / 100).to_integral_value(rounding="ROUND_CEILING"))
        if op == ">" and needed * 100 == short:
            needed += 1
        if needed <= 0:
            return None
        if row["metric"] == "satisfaction_rate":  # answers are not done: the share is the gap
            return None
        verb, unit = next(((v, u) for suffix, v, u in _DONE_WORDS if row["metric"].endswith(suffix)), ("完成", "起"))
        still_open = denominator - numerator
        return needed, f"需{verb}", unit, (still_open if needed > still_open else None)
    return None


def gap_text(row: dict) -> str | None:
    """The gap in words: 还差 6 起, 还需破案 2 起 (see `gap`)."""
    found = gap(row)
    if found is None:
        return None
    needed, verb, unit, still_open = found
    text = f"还{verb} {needed} {unit}"
    if still_open is not None:
        text += f"（本期只有 {still_open} {unit}未{verb[1:]}）"
    return text


def rate_definition_text(definition: str) -> str:
    """当期（按立案/受理时间）"""
    return f"{RATE_DEFINITION_NAMES[definition]}（{RATE_DEFINITION_NOTES[definition]}）"


def baseline_text(row: dict) -> str:
    """同期 as a person reads it: a count, or a rate (rates only)."""
    if row["baseline"] is None:
        return "—"
    return percent(row["baseline"]) if row["kind"] == catalogue.RATE else f"{row['baseline']:.0f}"


def actual_text(row: dict) -> str:
    """本期 as a person reads it: a count, or a rate with its numerator/denominator."""
    if row["actual"] is None:
        return "—"
    if row["kind"] in catalogue.RATE_KINDS:
        return f"{rate_percent(row, 1)}（{row['numerator']}/{row['denominator']}）"
    return f"{int(row['actual'])}"


def change_text(row: dict) -> str:
    if row["kind"] != catalogue.COUNT_CHANGE or row["actual"] is None:
        return ""
    if row["change"] is None:
        return f"新增{int(row['actual'])}"
    word = "下降" if row["change"] < 0 else "上升"
    return "持平" if row["change"] == 0 else f"{word}{abs(row['change']) * 100:.1f}%"


def campaign_state(row: dict) -> str:
    """A campaign's state by its dates (尚未开始 / 进行中 / 已结束), whatever its data covers."""
    if row["as_of"] < row["window_start"]:
        return STATE_NAMES["not_started"]
    return STATE_NAMES["over" if row["as_of"] >= row["window_end"] else "running"]


def top_hours(counts: dict[int, int], n: int = 3) -> list[tuple[int, int]]:
    """The `n` hours with most alerts, most first (the earlier hour on a tie); hours without
    alerts are never named."""
    ranked = sorted(((hour, alerts) for hour, alerts in counts.items() if alerts), key=lambda p: (-p[1], p[0]))
    return ranked[:n]


def top_hours_text(ranked: list[tuple[int, int]]) -> str:
    """20时至21时（12起）、21时至22时（9起）、14时至15时（8起）"""
    if not ranked:
        return "（没有警情）"
    return "、".join(f"{hour}时至{hour + 1}时（{alerts}起）" for hour, alerts in ranked)


def status_counts(rows: list[dict]) -> dict[str, int]:
    """How many figures have each status, in the order of STATUS_NAMES (zeros kept)."""
    return {status: sum(1 for r in rows if r["status"] == status) for status in STATUS_NAMES}


def days_left_text(row: dict) -> str:
    """距整治期结束还有 30 天 / 距整治开始还有 5 天 / 整治期已结束 — by the campaign's dates."""
    if row["as_of"] < row["window_start"]:
        return f"距整治开始还有 {(row['window_start'] - row['as_of']).days} 天"
    if row["as_of"] >= row["window_end"]:
        return "整治期已结束"
    return f"距整治期结束还有 {(row['window_end'] - row['as_of']).days} 天"


def verdict_sentence(rows: list[dict]) -> str:
    """共17项指标：达标3项，未达标1项，进度正常13项；距整治期结束还有 30 天"""
    counts = "，".join(f"{STATUS_NAMES[s]}{n}项" for s, n in status_counts(rows).items() if n)
    compounds = len({r["compound"] for r in rows})
    size = f"共{len(rows)}项指标" if compounds == 1 else f"{compounds}个小区共{len(rows)}项指标"
    return f"{size}：{counts}；{days_left_text(rows[0])}"


def significance_text(row: dict) -> str | None:
    """Is a count change more than chance? 变化在正常波动范围内（偶然出现的概率 73%） — the
    p-value in words a leader reads, count changes only; it never changes the status."""
    if row["kind"] != catalogue.COUNT_CHANGE or row.get("p_value") is None:
        return None
    p = row["p_value"]
    if p < 0.001:
        shown = "不到 0.1%"
    elif p < 0.01:
        shown = f"{p * 100:.1f}%"
    else:
        shown = f"{min(p, 1) * 100:.0f}%"
    return f"{SIGNIFICANT if row['significant'] else NOT_SIGNIFICANT}（偶然出现的概率 {shown}）"


def coverage_lines(coverage: list[dict], as_of) -> tuple[list[str], str | None]:
    """Per source "110警情数据截至 2022-08-31（导出时间）" and, when the evaluation date is past
    any of them, the warning a leader must read before any status (sql/quality/data_coverage.sql)."""
    basis_words = {"标题行": "按导出时间", "文件名": "按文件名中的导出日期", "最后记录日期": "按最后一条记录的日期"}
    lines, behind = [], []
    for row in coverage:
        if row["covered_to"] is None:
            lines.append(f"{row['label']}：尚未载入")
            continue
        lines.append(f"{row['label']}数据截至 {row['covered_to']}（{basis_words.get(row['basis'], row['basis'])}）")
        if row["covered_to"] < as_of:
            behind.append(row["label"])
    warning = None
    if behind:
        warning = (
            f"注意：评估日期 {as_of} 晚于{'、'.join(behind)}数据的截至日期。相关指标按数据截至日评估，"
            "数据未覆盖整个整治期的项目只显示进度（进度正常／有风险），不给出达标或未达标的结论。"
        )
    return lines, warning


def pace_sentence(row: dict) -> str | None:
    """按当前进度，预计下降 23%，可达标 — while a window runs."""
    if row["window_state"] != "running" or row["projected"] is None:
        return None
    verdict = "可达标" if row["status"] == "on_track" else "有未达标风险"
    if row["kind"] == catalogue.COUNT_CHANGE:
        change = row.get("projected_change")
        if change is None:
            return f"按当前进度，预计全期{row['projected']:.0f}起（同期为0），{verdict}"
        if round(change * 100) == 0:
            return f"按当前进度，预计与同期持平，{verdict}"
        word = "下降" if change < 0 else "上升"
        return f"按当前进度，预计{word}{abs(change) * 100:.0f}%，{verdict}"
    return f"按当前进度，当前为{percent(row['projected'])}，{verdict}"


def target_sentence(row: dict) -> str:
    """One sentence with the numbers, for a target that is missed or at risk:
    报警类110警情同比上升12.0%（本期56起，同期50起），目标下降20%，未达标"""
    target = target_text(row["kind"], row["target_op"], row["target_percent"])
    status = STATUS_NAMES[row["status"]]
    name = f"{row['compound']}{row['metric_name']}"
    if row["kind"] == catalogue.COUNT_CHANGE:
        actual, baseline = int(row["actual"] or 0), int(row["baseline"] or 0)
        if row["change"] is None:
            body = f"{name}新增{actual}起（同期为0）"
        else:
            body = f"{name}{change_text(row)}（本期{actual}起，同期{baseline}起）"
    elif row["kind"] == catalogue.LEDGER_COUNT:
        body = f"{name}{int(row['actual'] or 0)}{row.get('unit') or '项'}"
    elif row["kind"] in catalogue.COUNT_KINDS:
        body = f"{name}本期{int(row['actual'] or 0)}{row.get('unit') or '起'}"
    elif row["actual"] is None:
        body = f"{name}无数据"
    else:
        body = f"{name}为{rate_percent(row, 1)}（{row['numerator']}/{row['denominator']}）"
    sentence = f"{body}，目标{target}，{status}"
    gap = gap_text(row)
    if gap:
        sentence += f"（{gap}）"
    pace = pace_sentence(row)
    return f"{sentence}；{pace}" if pace else sentence


# registry upkeep (sql/quality/unattributed_doorplates.sql, registry_disagreements.sql)
DOORPLATES_TITLE = "小区名册待补充：未归属记录最多的门牌"
DOORPLATES_NOTE = "建议归属仅供补充小区名册参考：名册中同一道路两侧相邻门牌属于该小区；未经名册补充，不据此归属"
DOORPLATE_HEADERS = ("门牌", "记录数", "各来源", "建议归属")
DISAGREEMENTS_TITLE = "小区名册不一致：不同文件对同一小区给出不同的值（采用较新文件）"
DISAGREEMENT_HEADERS = ("小区", "列", "值", "文件", "是否采用")
DOORPLATE_LIMIT = 20
NONE = "（无）"


def in_use_word(in_use: bool) -> str:
    return "采用" if in_use else "未采用"
