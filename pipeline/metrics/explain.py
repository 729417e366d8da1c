"""Explain a number (指标溯源): the records behind one figure of an evaluation.

`explain(con, evaluation_id, campaign, compound, metric)` lists every record counted in the
figure — per part (本期 / 同期, 分子 / 分母), with its ID, date, category, status and
address — and the count of each part beside the figure it must equal. The parts come from
the relation `explain_records` (sql/metrics/explain_records.sql), which decides membership
exactly as the families do; `Explanation.mismatches()` is empty when the counts equal the
figures, and the tests assert it for every metric kind. Personal data is masked here, once,
for every caller (the terminal, the workbook, the dashboard's and the report's lists).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from zhian.pipeline.masking import mask_id, mask_name
from zhian.pipeline.metrics import catalogue

# the parts of a figure, in the order shown, with their Chinese names
PARTS = {
    "actual": "本期",
    "baseline": "同期",
    "numerator": "本期分子",
    "denominator": "本期分母",
    "baseline_numerator": "同期分子",
    "baseline_denominator": "同期分母",
}

CASE_STATUS = {
    "filed": "已立案",
    "solved": "已破案",
    "accepted": "已受理",
    "closed": "已结案",
    "withdrawn": "已撤案",
    "merged": "已合并",
}

# per source: the columns shown beside each record (Chinese header → SQL over the table)
DETAILS = {
    "alerts": (
        "alerts",
        "alert_id",
        {
            "报警时间": "strftime(alarm_at, '%Y-%m-%d %H:%M')",
            "警情性质": "nature",
            "警情类别": "category",
            "警情类型": "alert_type",
            "发生地址": "address",
        },
    ),
    "cases": (
        "cases",
        "case_id",
        {
            "立案/受理时间": "strftime(event_at, '%Y-%m-%d %H:%M')",
            "案由": "coalesce(offence, cause)",
            "状态": "status",
            "破案/结案时间": "strftime(coalesce(solved_at, closed_at), '%Y-%m-%d %H:%M')",
            "发案地址": "address",
        },
    ),
    "residents": (
        "residents",
        "person_id",
        {"姓名": "name", "人口类型": "population_type", "核查结果": "verification", "采集日期": "registered_at"},
    ),
}
DETAILS["ledger"] = (
    # one row per item and compound (an item of several campaigns is listed once)
    "(select distinct compound, item_no, item, units, deadline, status, signed_off_on from ledger_items)",
    "ledger_item_label(item_no, item)",
    {
        "牵头单位": "array_to_string(units, '、')",
        "完成时限": "strftime(deadline, '%Y-%m-%d')",
        "进度": "status",
        "销号日期": "strftime(signed_off_on, '%Y-%m-%d')",
    },
)
SOURCE_TABLES = {
    "alerts": "alerts",
    "criminal": "cases",
    "public_order": "cases",
    "residents": "residents",
    "ledger": "ledger",
}


@dataclass
class Explanation:
    target: dict  # the metric_history row of the figure
    records: pl.DataFrame  # 部分, 记录编号, 日期, 完成日期, details — masked
    counts: dict[str, int]  # part → records listed
    figures: dict[str, int]  # part → the figure the count must equal
    note: str | None = None  # what is not a list of records (the registry's 实有人口底数)

    def mismatches(self) -> dict[str, tuple[int, int]]:
        """Parts whose count differs from the figure (part → (count, figure)); empty when exact."""
        return {
            part: (self.counts.get(part, 0), figure)
            for part, figure in self.figures.items()
            if self.counts.get(part, 0) != figure
        }


def resolve_metric(text: str) -> str | None:
    """A metric's code from its code, Chinese name or alias."""
    metric = catalogue.find(text)
    return metric.code if metric else None


def find_target(
    con: duckdb.DuckDBPyConnection, evaluation_id: int, campaign: str, compound: str, metric: str
) -> dict | None:
    rows = con.sql(
        """select * from metric_history
           where evaluation_id = $e and campaign = $c and compound = $k and metric = $m""",
        params={"e": evaluation_id, "c": campaign, "k": compound, "m": metric},
    ).pl()
    return rows.row(0, named=True) if rows.height else None


def figures_of(target: dict) -> dict[str, int]:
    """The figures a list must add up to: counts for count kinds; numerator and denominator
    for rates (and the baseline's, recovered exactly from the stored fraction's records)."""
    if target["window_state"] in ("not_started", "not_covered"):
        return {}
    kind = target["kind"]
    if kind in (catalogue.COUNT_CHANGE, catalogue.ZERO_COUNT):
        return {"actual": int(target["actual"]), "baseline": int(target["baseline"])}
    if kind == catalogue.LEDGER_COUNT:
        return {"actual": int(target["actual"])}
    if kind == catalogue.LEDGER_RATE and target["metric"] != "ledger_signoff_rate":
        return {}  # one row of counts (a facility count, a 五有 check, surveys), not records
    figures = {"numerator": int(target["numerator"] or 0)}
    metric = catalogue.BY_CODE[target["metric"]]
    if not metric.denominator_is_population_base:
        figures["denominator"] = int(target["denominator"] or 0)
    return figures


def explain(
    con: duckdb.DuckDBPyConnection, evaluation_id: int, campaign: str, compound: str, metric: str
) -> Explanation | None:
    """The records behind one figure, or None when the evaluation has no such target."""
    target = find_target(con, evaluation_id, campaign, compound, metric)
    if target is None:
        return None
    # the metric as a literal (a catalogue code, checked above), so that DuckDB reads only its
    # branch of metric_records: bound as a parameter, every metric's records are scanned (6×)
    assert metric in catalogue.BY_CODE
    parts = con.sql(
        f"select * from explain_records($e, $c, $k, '{metric}')",
        params={"e": evaluation_id, "c": campaign, "k": compound},
    ).pl()
    source = catalogue.BY_CODE[metric].records
    counts = {part: n for part, n in parts.group_by("part").len().iter_rows()} if parts.height else {}
    if source not in SOURCE_TABLES:  # 技防设施, 五有, 满意度: the figure is one row's counts
        from zhian.pipeline.sources import LABELS

        note = f"该指标来自{LABELS.get(source, source)}表的统计，不是逐条记录（{target['note'] or '无数据'}）"
        empty = pl.DataFrame(schema={"部分": pl.String, "记录编号": pl.String, "日期": pl.Date, "完成日期": pl.Date})
        return Explanation(target, empty, counts, figures_of(target), note)
    records = _with_details(con, parts, SOURCE_TABLES[source], compound)
    note = None
    if catalogue.BY_CODE[metric].denominator_is_population_base and target["denominator"] is not None:
        note = f"分母为小区名册中的实有人口底数：{int(target['denominator'])}"
    explanation = Explanation(target, records, counts, figures_of(target), note)
    if target["kind"] == catalogue.RATE and target["baseline"] is not None:
        # the baseline rate is stored as a fraction: its records must give exactly that fraction
        numerator, denominator = counts.get("baseline_numerator", 0), counts.get("baseline_denominator", 0)
        if denominator == 0 or numerator / denominator != target["baseline"]:
            explanation.figures["baseline_denominator"] = -1  # never equal: reported as a mismatch
    return explanation


# a cell of the dashboard or the report lists at most this many records per part; the rest
# are counted and left to `zhian explain` (whose workbook lists them all)
LIST_LIMIT = 2000


def all_parts(con: duckdb.DuckDBPyConnection, evaluation) -> pl.DataFrame:
    """Every figure's records of an evaluation in one pass — campaign, compound, metric, part,
    record_id (resident ID numbers masked), event_date — what the dashboard's and the report's
    cells lead to (aggregated to IDs and dates: no names or phones). Kept on the evaluation, so
    a bureau's per-station pages share one pass."""
    if evaluation.explained is not None:
        return evaluation.explained
    parts = con.sql(
        """select campaign, compound, metric, part, record_id, event_date
           from explain_records($e, null, null, null)""",
        params={"e": evaluation.evaluation_id},
    ).pl()
    residents = [m.code for m in catalogue.CATALOGUE if m.records == "residents"]
    if parts.height:
        masked = pl.col("record_id").map_elements(mask_id, return_dtype=pl.String)
        parts = parts.with_columns(
            pl.when(pl.col("metric").is_in(residents)).then(masked).otherwise(pl.col("record_id")).alias("record_id")
        )
    evaluation.explained = parts
    return parts


def parts_by_figure(parts: pl.DataFrame) -> dict[tuple, list[tuple[str, pl.DataFrame]]]:
    """`all_parts` per figure (campaign, compound, metric): its parts in the order shown, each
    with its Chinese name and its records sorted by date and ID — what the dashboard's and the
    report's lists both show."""
    if not parts.height:
        return {}
    figures = {}
    for key, frame in parts.group_by(["campaign", "compound", "metric"]):
        figures[key] = [
            (name, listed.sort("event_date", "record_id"))
            for part, name in PARTS.items()
            if (listed := frame.filter(pl.col("part") == part)).height
        ]
    return figures


def _with_details(con: duckdb.DuckDBPyConnection, parts: pl.DataFrame, source: str, compound: str) -> pl.DataFrame:
    table, key, columns = DETAILS[source]
    shown = ", ".join(f'{expr} as "{header}"' for header, expr in columns.items())
    # the compound's records, joined here: a lookup of the IDs in the table hashed every
    # record's ID (10M alerts: 0.19 s against 0.05 s)
    details = con.sql(
        f"select {key} as record_id, {shown} from {table} where compound = $compound",
        params={"compound": compound},
    ).pl()
    frame = parts.join(details, on="record_id", how="left")
    if source == "residents":
        frame = frame.with_columns(
            pl.col("record_id").map_elements(mask_id, return_dtype=pl.String),
            pl.col("姓名").map_elements(mask_name, return_dtype=pl.String),
        )
    if "状态" in frame.columns:
        frame = frame.with_columns(pl.col("状态").replace(CASE_STATUS))
    if "进度" in frame.columns:
        from zhian.pipeline.outputs.wording import LEDGER_STATUS_NAMES

        frame = frame.with_columns(pl.col("进度").replace(LEDGER_STATUS_NAMES))
    order = {part: i for i, part in enumerate(PARTS)}
    return (
        frame.with_columns(pl.col("part").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
        .sort("_order", "event_date", "record_id")
        .select(
            pl.col("part").replace_strict(PARTS, return_dtype=pl.String).alias("部分"),
            pl.col("record_id").alias("记录编号"),
            pl.col("event_date").alias("日期"),
            pl.col("done_date").alias("完成日期"),
            *[pl.col(header) for header in columns],
        )
    )
