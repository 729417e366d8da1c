"""Every file format an inbox receives, read as text grids with Excel's row numbers."""

import datetime as dt

import pytest

from tests.conftest import write_sheet
from zhian.fixtures.writers import SheetSpec, write_csv, write_html_xls, write_spreadsheetml, write_xls, write_xlsx
from zhian.pipeline.ingest.read import Unreadable, read_workbook

HEADER = ["警情编号", "报警时间", "警情性质", "事发地址"]
ROWS = [
    ["J1", dt.datetime(2022, 7, 1, 8, 30), "报警", "凤仙路１号"],
    ["J2", dt.datetime(2022, 7, 2, 9, 0), "求助", "凤仙路2号"],
]


def _cells(workbook, sheet=0):
    return [list(r) for r in workbook.sheets[sheet].grid.iter_rows()]


def test_xlsx_keeps_leading_empty_rows_so_row_numbers_match_excel(tmp_path):
    path = tmp_path / "a.xlsx"
    write_xlsx(path, [SheetSpec("s", HEADER, ROWS, titles=["标题", "导出时间：2022-08-01"])])
    rows = _cells(read_workbook(path))
    assert rows[0][0] == "标题" and rows[2][:2] == ["警情编号", "报警时间"]
    assert rows[3][1] == "2022-07-01 08:30:00"  # a date cell arrives as text


def test_xlsx_hidden_sheet_is_read_and_marked(tmp_path):
    path = tmp_path / "a.xlsx"
    write_xlsx(path, [SheetSpec("s", HEADER, ROWS), SheetSpec("h", HEADER, ROWS, hidden=True)])
    workbook = read_workbook(path)
    assert [s.visibility for s in workbook.sheets] == ["visible", "hidden"]


def test_legacy_xls(tmp_path):
    path = tmp_path / "a.xls"
    write_xls(path, [SheetSpec("s", HEADER, ROWS, titles=["标题"])])
    workbook = read_workbook(path)
    assert workbook.format == "xls"
    assert _cells(workbook)[1][0] == "警情编号"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    write_csv(path, SheetSpec("CSV", HEADER, ROWS, titles=["沙河派出所警情"]), encoding=encoding)
    rows = _cells(read_workbook(path))
    assert rows[0][0] == "沙河派出所警情" and rows[1] == HEADER


def test_csv_with_ragged_title_lines_and_tabs(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("标题\n警情编号\t报警时间\t警情性质\t事发地址\nJ1\t2022-07-01\t报警\t凤仙路1号\n", encoding="utf-8")
    rows = _cells(read_workbook(path))
    assert rows[1] == HEADER and rows[2][0] == "J1"


def test_html_table_saved_as_xls(tmp_path):
    path = tmp_path / "a.xls"
    write_html_xls(path, SheetSpec("t", HEADER, ROWS, titles=["标题"]))
    workbook = read_workbook(path)
    assert workbook.format == "html" and "HTML" in workbook.notes[0]
    assert _cells(workbook)[1] == HEADER


def test_html_rowspan_and_colspan_keep_columns_in_place_and_fill_the_block(tmp_path):
    path = tmp_path / "a.xls"
    path.write_text(
        "<html><body><table>"
        "<tr><td rowspan=2>警情编号</td><td colspan=2>基本</td><td rowspan=2>事发地址</td></tr>"
        "<tr><td>报警时间</td><td>警情性质</td></tr>"
        "<tr><td>J1</td><td>2022-07-01</td><td>报警</td><td>凤仙路1号</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    rows = _cells(read_workbook(path))
    assert rows[0] == ["警情编号", "基本", "基本", "事发地址"]
    assert rows[1] == ["警情编号", "报警时间", "警情性质", "事发地址"]
    assert rows[2] == ["J1", "2022-07-01", "报警", "凤仙路1号"]


def test_spreadsheetml_saved_as_xls(tmp_path):
    path = tmp_path / "a.xls"
    write_spreadsheetml(
        path, [SheetSpec("s", HEADER, ROWS, titles=["标题"]), SheetSpec("h", HEADER, ROWS, hidden=True)]
    )
    workbook = read_workbook(path)
    assert workbook.format == "xml"
    assert _cells(workbook)[2][1] == "2022-07-01T08:30:00.000"
    assert workbook.sheets[1].visibility == "hidden"


def test_tab_separated_text_named_xls_is_read_as_text(tmp_path):
    path = tmp_path / "a.xls"
    path.write_text("警情编号\t报警时间\t警情性质\t事发地址\nJ1\t2022-07-01\t报警\t凤仙路1号\n", encoding="gb18030")
    assert _cells(read_workbook(path))[0] == HEADER


def test_unknown_bytes_with_xlsx_name_say_what_they_are(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"hello, this is not a workbook")
    with pytest.raises(Unreadable, match="不是Excel"):
        read_workbook(path)


def test_write_sheet_helper_round_trips(inbox):
    path = write_sheet(inbox, "x.xlsx", HEADER, ROWS)
    assert _cells(read_workbook(path))[0] == HEADER


def test_merges_and_formula_gaps_land_in_their_columns_when_column_a_holds_no_value(tmp_path):
    """calamine's grid begins at the first column holding a value: a styled blank cell and a
    formula without its value in column A do not move it, and neither may they move the
    merged blocks or the formula gaps zhian finds in the sheet's XML."""
    import xlsxwriter

    path = tmp_path / "偏移.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("名册")
    sheet.write_blank(0, 0, None, workbook.add_format({"border": 1}))
    sheet.write_formula(3, 0, "=1+1", None, "")
    for column, name in enumerate(["小区名称", "详细地址", "实有人口底数"], start=1):
        sheet.write(0, column, name)
    sheet.merge_range(1, 1, 2, 1, "花园小区")
    sheet.write(1, 2, "凤仙路443号")
    sheet.write(2, 2, "凤仙路459号")
    sheet.write_formula(2, 3, "=100*3", None, "")
    workbook.close()
    grid = read_workbook(path).sheets[0]
    assert grid.grid.row(1) == ("花园小区", "凤仙路443号", None)
    assert grid.grid.row(2) == ("花园小区", "凤仙路459号", None)
    assert grid.formula_gaps == [(3, 2)]  # Excel row 3, the grid's third column (实有人口底数)
