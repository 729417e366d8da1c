"""The records behind one figure as a workbook (zhian explain --out FILE.xlsx): a header with
the figure and its windows, the count of each part beside the figure it equals, then every
record (masked, as `pipeline/metrics/explain.py` gives them)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from zhian.pipeline.metrics.explain import PARTS, Explanation
from zhian.pipeline.outputs import wording
from zhian.pipeline.outputs.report import fit_columns, named_styles, print_setup, put, table
from zhian.pipeline.permissions import atomic_file, shared_folder


def header_lines(explanation: Explanation) -> list[str]:
    """What the figure is, in words: the terminal and the workbook say the same."""
    t = explanation.target
    lines = [
        f"{t['campaign']} · {t['compound']} · {t['metric_name']}（目标 "
        f"{wording.target_text(t['kind'], t['target_op'], t['target_percent'])}，{wording.STATUS_NAMES[t['status']]}）",
        f"本期 {t['window_start']} 至 {t['current_end']}；同期 {t['baseline_start']} 至 {t['baseline_end']}；"
        f"评估日期 {t['as_of']}" + (f"，数据截至 {t['covered_to']}" if t["covered_to"] else ""),
        f"指标值：本期 {wording.actual_text(t)}，同期 {wording.baseline_text(t)}",
    ]
    for part, figure in explanation.figures.items():
        if part in PARTS and figure >= 0:
            count = explanation.counts.get(part, 0)
            same = "一致" if count == figure else "不一致"
            lines.append(f"{PARTS[part]}：{count} 条记录，指标值 {figure}（{same}）")
    if explanation.note:
        lines.append(explanation.note)
    if t["note"]:
        lines.append(f"说明：{t['note']}")
    return lines


def write_explanation(path: Path, explanation: Explanation) -> Path:
    path = Path(path)
    shared_folder(path.parent)
    workbook = Workbook()
    named_styles(workbook)
    sheet = workbook.active
    sheet.title = "指标溯源"
    lines = header_lines(explanation)
    for row, text in enumerate(lines, start=1):
        cell = put(sheet, row, 1, text, style="zhian-text")
        if row == 1:
            cell.font = Font(name=cell.font.name, size=12, bold=True)
    records = explanation.records
    top = len(lines) + 2
    rows = [[None if v is None else v for v in row] for row in records.iter_rows()]
    table(sheet, top, records.columns, rows)
    sheet.freeze_panes = sheet.cell(top + 1, 1)
    fit_columns(sheet, maximum=40)
    sheet.column_dimensions["A"].width = 12
    print_setup(sheet, f"{top}:{top}")
    with atomic_file(path, shared=True) as temporary:
        workbook.save(temporary)
    return path
