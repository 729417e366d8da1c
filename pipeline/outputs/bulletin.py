"""The fortnightly supervision bulletin (督导通报, seed 004: "每两周由领导小组牵头对推进情况开展督导检
查", "对综合进度靠后的单位……进行约谈"): the one page the 领导小组 reads every two weeks.

    一、各单位推进情况   per campaign and responsible unit, ranked (sql/ledger/unit_progress.sql),
                        the lagging ones marked 靠后
    二、逾期未销号事项   item, compound, unit, deadline, days overdue
    三、两周内到期事项   item, compound, unit, deadline, days left
    四、公安指标         per campaign and target, one line: how many compounds in each status,
                        the ones missed or at risk named
    五、验收摘牌         per compound, ready or what blocks it (sql/ledger/readiness.sql)

Written with the report's cell writer and styles (no input text becomes a formula); the
responsible person (责任人) is never shown. `zhian bulletin` writes it alone, `zhian run`
into `--out/督导通报/` when the database holds a ledger, the `supervision-bulletin` flow every
other Monday at 08:00.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from zhian.pipeline import db
from zhian.pipeline.metrics import catalogue
from zhian.pipeline.metrics.evaluate import Evaluation
from zhian.pipeline.outputs import wording
from zhian.pipeline.outputs.report import (
    fit_columns,
    fit_rows,
    header_footer,
    named_styles,
    print_setup,
    put,
    readiness_table,
    table,
    title_row,
)
from zhian.pipeline.permissions import atomic_file, shared_folder

SOON_DAYS = 14  # 两周内到期
LAGGING_FILL = PatternFill("solid", fgColor="FFCDD2")
WIDTH = 10  # columns of the page's widest table


def default_name(as_of: dt.date) -> str:
    return f"督导通报_{as_of.isoformat()}.xlsx"


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database holds any ledger item (a bulletin without one says little)."""
    return bool(db.scalar(con, "select count(*) from ledger_rows"))


def build_bulletin(con: duckdb.DuckDBPyConnection, evaluation: Evaluation) -> Workbook:
    as_of = evaluation.as_of
    workbook = Workbook()
    workbook.properties.creator = "zhian"
    created = dt.datetime.combine(as_of, dt.time(0, 0))
    workbook.properties.created = workbook.properties.modified = created
    named_styles(workbook)
    sheet = workbook.active
    sheet.title = "督导通报"
    title = f"小区整治督导通报（截至 {as_of.isoformat()}）"
    title_row(sheet, 1, title, WIDTH, size=14)
    row = 3

    units = con.sql("select * from unit_progress($as_of) order by campaign, rank", params={"as_of": as_of}).pl()
    title_row(sheet, row, "一、各单位推进情况（按逾期事项少、销号比例高排名；标“靠后”的单位请分管领导约谈）", WIDTH)
    rows = [
        [
            r["rank"],
            r["unit"],
            r["campaign"],
            r["items"],
            r["due"],
            r["signed_off"],
            r["overdue"],
            r["due_soon"],
            r["signed_off_share"],
            "靠后" if r["lagging"] else None,
        ]
        for r in units.iter_rows(named=True)
    ]
    header = ["排名", "单位", "整治项目", "事项", "已到期", "已销号", "逾期", "两周内到期", "销号比例", "标注"]
    top = row + 1
    row = table(sheet, top, header, rows or [[wording.NONE]], {9: "0.0%"}) + 1
    for index, r in enumerate(units.iter_rows(named=True), start=top + 1):
        if r["lagging"]:
            for column in range(1, WIDTH + 1):
                sheet.cell(index, column).fill = LAGGING_FILL

    items = con.sql(
        """select campaign, compound, item, units, deadline, status from ledger_items
           where not signed_off_by(is_signed_off, signed_off_on, $as_of) and deadline is not null
           order by deadline, campaign, compound, item""",
        params={"as_of": as_of},
    ).pl()
    overdue = items.filter(pl.col("deadline") < as_of)
    title_row(sheet, row, f"二、逾期未销号事项（{overdue.height} 项）", WIDTH)
    row = _items(sheet, row + 1, overdue, as_of, "逾期天数", lambda d: (as_of - d).days) + 1
    soon = items.filter((pl.col("deadline") >= as_of) & (pl.col("deadline") <= as_of + dt.timedelta(days=SOON_DAYS)))
    title_row(sheet, row, f"三、两周内（{SOON_DAYS} 天内）到期事项（{soon.height} 项）", WIDTH)
    row = _items(sheet, row + 1, soon, as_of, "剩余天数", lambda d: (d - as_of).days) + 1

    results = evaluation.results
    police = results.filter(~pl.col("kind").is_in(list(catalogue.LEDGER_KINDS)))
    title_row(sheet, row, "四、公安指标（每项一行：各状态的小区数，未达标和有风险的小区）", WIDTH)
    row += 1
    for line in police_lines(police) or [wording.NONE]:
        put(sheet, row, 1, line, style="zhian-text")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
        row += 1
    row += 1

    ready = con.sql(
        "select * from readiness($evaluation) order by campaign, ready desc, compound",
        params={"evaluation": evaluation.evaluation_id},
    ).pl()
    readiness_table(sheet, row, ready, WIDTH, "五")

    fit_columns(sheet, maximum=24)
    sheet.column_dimensions["D"].width = max(sheet.column_dimensions["D"].width or 0, 16)
    print_setup(sheet, None)
    sheet.page_setup.orientation = "portrait"
    fit_rows(sheet)
    header_footer(sheet, title, internal=False)
    return workbook


def _items(sheet, top: int, items: pl.DataFrame, as_of: dt.date, days_header: str, days) -> int:
    rows = [
        [
            r["campaign"],
            r["compound"],
            r["item"],
            "、".join(r["units"] or []) or None,
            r["deadline"],
            days(r["deadline"]),
            wording.LEDGER_STATUS_NAMES.get(r["status"], r["status"]),
        ]
        for r in items.iter_rows(named=True)
    ]
    header = ["整治项目", "小区", "事项", "牵头单位", "完成时限", days_header, "进度"]
    return table(sheet, top, header, rows or [[wording.NONE]], {5: "yyyy-mm-dd", 6: '0"天"'})


def police_lines(results: pl.DataFrame) -> list[str]:
    """Per campaign and target, one line: 报警类110警情同比（下降20%）：进度正常 5 个，有风险 2 个
    （和福小区、养路段宿舍）."""
    lines = []
    for (campaign, _metric), rows in results.group_by("campaign", "metric", maintain_order=True):
        first = rows.row(0, named=True)
        counts = wording.status_counts(rows.to_dicts())
        parts = "，".join(f"{wording.STATUS_NAMES[s]} {n} 个" for s, n in counts.items() if n)
        flagged = rows.filter(pl.col("status").is_in(["missed", "at_risk"]))["compound"].to_list()
        named = f"（{'、'.join(flagged[:6])}{'等' if len(flagged) > 6 else ''}）" if flagged else ""
        target = wording.target_text(first["kind"], first["target_op"], first["target_percent"])
        lines.append(f"{campaign}｜{first['metric_name']}（{target}）：{parts}{named}")
    return lines


def write_bulletin(con: duckdb.DuckDBPyConnection, path: Path, evaluation: Evaluation) -> Path:
    """Write the bulletin of an evaluation (masked: no person is named; made to be handed on)."""
    path = Path(path)
    shared_folder(path.parent)
    workbook = build_bulletin(con, evaluation)
    with atomic_file(path, shared=True) as temporary:
        workbook.save(temporary)
    return path


__all__ = ["build_bulletin", "default_name", "has_ledger", "police_lines", "write_bulletin"]
