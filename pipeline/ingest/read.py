"""Reading one inbox file into raw grids of strings, one per sheet.

Every cell is read as text (calamine via fastexcel for .xlsx/.xls; our own readers for
CSV, HTML tables and SpreadsheetML 2003 saved as .xls). Grid row i is Excel row i + 1:
leading empty rows are kept so row numbers match what Excel shows.

Before a workbook is parsed, `sniff` looks at its bytes and, for a zip, its directory:
what the file really is, whether it is encrypted, truncated, or would expand to an
unreasonable size. This module runs inside a child process (see `parse.py`): a file
that makes the parser abort (calamine does, on a cell declared at XFD1048576) takes
down only that child.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polars as pl

from zhian.pipeline.settings import Limits

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


@dataclass
class Sheet:
    name: str
    visibility: str  # visible, hidden, veryhidden
    grid: pl.DataFrame  # columns c0..cN, all strings
    error: str | None = None  # the sheet could not be read (the others still are)
    # cells holding a formula without a calculated value: (Excel row, grid column index)
    formula_gaps: list[tuple[int, int]] = field(default_factory=list)
    # merged blocks filled into every cell they cover: (first row, first column, last row,
    # last column) of the grid, 0-based, inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Workbook:
    format: str  # xlsx, xls, csv, html, xml
    sheets: list[Sheet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    date1904: bool = False  # serial dates count from 1904 (old Mac Excel)


class Unreadable(Exception):
    """The whole file is rejected; the message (Chinese) says why and what it really is."""


# --- sniffing -------------------------------------------------------------------------------

_MAGIC = (
    (b"%PDF", "PDF文件"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF8", "GIF图片"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
    (b"\x1f\x8b", "gzip压缩包"),
    (b"{\\rtf", "RTF文档"),
)


def sniff(path: Path, head: bytes, limits: Limits) -> str:
    """The real format of a file: xlsx, xls, csv, html or xml; raises Unreadable."""
    if not head:
        raise Unreadable("空文件（0字节）")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise Unreadable(f"这是{what}，不是Excel工作簿或CSV")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        _check_zip(path, limits)
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _check_ole(path)
    text_head = _decode_head(head).lstrip().lower()
    if text_head.startswith("<?xml") or text_head.startswith("<workbook"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text_head or "<workbook" in text_head:
            return "xml"
        if "<html" in text_head or "<table" in text_head:
            return "html"
        raise Unreadable("这是XML文件，但不是Excel 2003 XML表格（SpreadsheetML）")
    if text_head.startswith("<") and any(
        t in text_head for t in ("<html", "<table", "<!doctype html", "<meta", "<head", "<body")
    ):
        return "html"
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise Unreadable("文件扩展名是.xlsx，但内容不是Excel工作簿（无法识别的格式或已损坏）")
    if path.suffix.lower() == ".xls":
        if b"\x00" not in head[:512] and _looks_like_text(head):
            return "csv"  # some systems save tab-separated text as .xls
        raise Unreadable("文件扩展名是.xls，但内容不是Excel工作簿（无法识别的格式或已损坏）")
    raise Unreadable("不支持的文件格式")


def _decode_head(head: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
            return True
        except UnicodeDecodeError:
            return False


def _check_zip(path: Path, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise Unreadable("文件已损坏或被截断（zip结构不完整），请重新导出") from error
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            if "word/document.xml" in names:
                raise Unreadable("这是Word文档（.docx），不是Excel工作簿")
            if any(n.startswith("ppt/") for n in names):
                raise Unreadable("这是PowerPoint文档，不是Excel工作簿")
            raise Unreadable("这是zip压缩包，不是Excel工作簿")
        if "xl/workbook.bin" in names:
            raise Unreadable("这是Excel二进制工作簿（.xlsb），请另存为.xlsx")
        if len(infos) > limits.max_zip_entries:
            raise Unreadable(f"工作簿内部文件过多（{len(infos)}个），疑似恶意构造，已拒绝")
        total = sum(info.file_size for info in infos)
        if total > limits.max_uncompressed_bytes:
            raise Unreadable(f"工作簿解压后过大（{total / 1024**3:.1f} GB），疑似压缩炸弹，已拒绝")
        for info in infos:
            if info.file_size > limits.ratio_floor_bytes and info.compress_size > 0:
                ratio = info.file_size / info.compress_size
                if ratio > limits.max_ratio:
                    raise Unreadable(f"工作簿内部文件压缩比异常（{ratio:.0f}:1），疑似压缩炸弹，已拒绝")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info.filename) as handle:
                    head = handle.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise Unreadable("工作簿内部含有DTD/实体定义（可能是恶意构造的外部实体或实体炸弹），已拒绝")
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_dimension(archive, info.filename, limits)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class _HeadRead(Exception):
    """The sheet's head has said what it declares."""


class _Head:
    """Parser target: the `<dimension ref>` of a sheet, if it comes before the cells."""

    ref: str | None = None

    def start(self, tag, attrib) -> None:
        if tag == _MAIN + "dimension":
            self.ref = attrib.get("ref")
            raise _HeadRead
        if tag == _MAIN + "sheetData":
            raise _HeadRead

    def end(self, tag) -> None:
        pass

    def data(self, data) -> None:
        pass

    def close(self) -> None:
        pass


def _check_dimension(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """The declared range at the head of a sheet: a cheap first line of defence (the cells
    themselves are bounded by parsing in a child process). Only the first 4 KB are parsed."""
    from defusedxml.ElementTree import DefusedXMLParser
    from openpyxl.utils.cell import range_boundaries

    with archive.open(name) as handle:
        head = handle.read(4096)
    target = _Head()
    try:
        DefusedXMLParser(target=target).feed(head)
    except _HeadRead:
        pass
    except Exception:  # a broken head: calamine, in its child process, says what is wrong
        return
    if not target.ref:
        return
    try:
        _, _, columns, rows = range_boundaries(target.ref)
    except ValueError:
        return
    if (rows or 0) > limits.max_rows or (columns or 0) > limits.max_columns:
        raise Unreadable(f"工作表声明的范围过大（{columns}列×{rows}行），疑似恶意构造，已拒绝")


def _check_ole(path: Path) -> str:
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise Unreadable("工作簿已加密（设置了打开密码），请去掉密码后另存再放入")
    if "WordDocument".encode("utf-16-le") in data:
        raise Unreadable("这是Word文档（.doc），不是Excel工作簿")
    return "xls"


# --- parsing ----------------------------------------------------------------------------------


def read_workbook(path: Path, limits: Limits | None = None) -> Workbook:
    """Every sheet of a file as a grid of strings; raises Unreadable (`limits`: the
    settings' `[limits]`, by default the shipped ones)."""
    if limits is None:
        from zhian.pipeline.settings import Settings

        limits = Settings.load().limits
    with open(path, "rb") as handle:
        head = handle.read(8192)
    kind = sniff(path, head, limits)
    if kind in ("xlsx", "xls"):
        return _read_excel(path, kind)
    size = path.stat().st_size
    if size > limits.max_text_bytes:
        raise Unreadable(f"文件过大（{size / 1024**3:.1f} GB）")
    raw = path.read_bytes()
    if kind == "csv":
        return _read_csv(raw)
    if kind == "html":
        return _read_html(raw)
    return _read_spreadsheetml(raw)


def _grid(rows: list[list[str | None]]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def _read_excel(path: Path, kind: str) -> Workbook:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as error:  # calamine's messages are English and technical
        raise Unreadable(_excel_error(error, kind)) from error
    workbook = Workbook(format=kind)
    details = _xlsx_details(path) if kind == "xlsx" else _xls_details(path)
    workbook.date1904 = details.date1904
    if details.date1904:
        workbook.notes.append("工作簿使用1904日期系统，数字形式的日期已按1904年起算")
    for index, name in enumerate(reader.sheet_names):
        try:
            sheet = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string", schema_sample_rows=None)
            frame = sheet.to_polars()
            visibility = str(getattr(sheet, "visible", "visible"))
        except Exception as error:
            workbook.sheets.append(
                Sheet(
                    name=name,
                    visibility="visible",
                    grid=pl.DataFrame(),
                    error=f"工作表无法读取：{_excel_error(error, kind)}",
                )
            )
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        frame = frame.with_columns(pl.all().cast(pl.String))
        offset = details.first_columns.get(name, 0)
        merges = [(r1, c1 - offset, r2, c2 - offset) for r1, c1, r2, c2 in details.merges.get(name, [])]
        if merges:
            frame = fill_merged(frame, merges)
        workbook.sheets.append(
            Sheet(
                name=name,
                visibility=visibility,
                grid=frame,
                formula_gaps=details.formula_gaps.get(name, []),
                merged=merges,
            )
        )
    return workbook


def fill_merged(grid: pl.DataFrame, blocks: list[tuple[int, int, int, int]]) -> pl.DataFrame:
    """Every cell of a merged block takes the value of its top-left cell: a merged cell means
    the value applies to each row (and column) it covers. `blocks` are (first row, first
    column, last row, last column) of the grid, 0-based, inclusive; parts outside the grid
    are ignored, and a covered cell that holds a value of its own keeps it."""
    height, width = grid.height, grid.width
    updates: dict[int, tuple[list[int], list[str]]] = {}
    for r1, c1, r2, c2 in blocks:
        if not (0 <= r1 < height and 0 <= c1 < width):
            continue
        value = grid[r1, c1]
        if value is None:
            continue
        rows = range(r1, min(r2, height - 1) + 1)
        for c in range(c1, min(c2, width - 1) + 1):
            indices, values = updates.setdefault(c, ([], []))
            indices.extend(r for r in rows if not (r == r1 and c == c1))
            values.extend(value for r in rows if not (r == r1 and c == c1))
    columns = []
    for c, (indices, values) in updates.items():
        column = grid.get_column(f"c{c}")
        keep = column.gather(indices)
        fill = pl.Series(values, dtype=pl.String)
        fill = pl.select(pl.when(keep.is_null()).then(fill).otherwise(keep)).to_series()
        columns.append(column.scatter(indices, fill))
    return grid.with_columns(columns) if columns else grid


@dataclass
class XlsxDetails:
    date1904: bool = False
    formula_gaps: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # per sheet: merged blocks (first row, first column, last row, last column), 0-based in
    # the sheet's coordinates, and the sheet's first column holding a value (where the grid
    # calamine reads begins)
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    first_columns: dict[str, int] = field(default_factory=dict)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
# a cell holding a value — an inline string, or a non-empty <v> after an optional formula —
# which is what calamine's grid begins at (styled blank cells and formulas without a
# calculated value do not count: measured with calamine 0.21's fastexcel)
_VALUE_AFTER = rb"[^>]*?(?<!/)>\s*(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*)?<(?:\w+:)?(?:v>[^<]|is[\s>])"
_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]{1,3})\d+"' + _VALUE_AFTER)
_VALUED_IN_A = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="A\d+"' + _VALUE_AFTER)


def _merged_blocks(data: bytes) -> tuple[list[tuple[int, int, int, int]], int]:
    """The merged blocks a sheet's XML declares, and its first column holding a value."""
    from openpyxl.utils.cell import column_index_from_string, range_boundaries

    blocks = []
    # <mergeCells> follows the cells: search from its first mention, not through every cell
    for ref in _MERGE.findall(data, max(0, data.find(b"mergeCell") - 16)):
        c1, r1, c2, r2 = range_boundaries(ref.decode("ascii"))
        blocks.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
    if not blocks:
        return [], 0
    if _VALUED_IN_A.search(data):  # the usual case, found among the first cells: no full scan
        return blocks, 0
    letters = {m for m in _VALUED_CELL.findall(data)}
    first = min((column_index_from_string(x.decode("ascii")) for x in letters), default=1)
    return blocks, first - 1


_FORMULA_SCAN_LIMIT = 50 * 1024 * 1024  # sheets larger than this are system exports: not scanned
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a formula element, with or without a prefix


def _formula_gaps(handle) -> list[tuple[int, int]]:
    """Cells of a sheet holding a formula without a calculated value, as (Excel row, grid
    column): calamine's grid starts at the sheet's first used column."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    gaps, first = [], None
    for _, element in iterparse(handle, events=("end",)):
        if element.tag != _MAIN + "c":
            continue
        letters, row = coordinate_from_string(element.get("r"))
        column = column_index_from_string(letters)
        has_value = element.find(_MAIN + "is") is not None or (element.findtext(_MAIN + "v") or "") != ""
        if has_value:  # calamine's grid begins at the first column holding a value
            first = column if first is None else min(first, column)
        elif element.find(_MAIN + "f") is not None:
            gaps.append((row, column))
        element.clear()
    first = first or 1
    return [(row, column - first) for row, column in gaps if column >= first]


def _xlsx_details(path: Path) -> XlsxDetails:
    """What calamine does not tell: the 1904 date system, formula cells saved without a
    calculated value (calamine reads them as empty; they are rejected, not taken as blank),
    and merged blocks (filled, see `fill_merged`). Sheets over 50 MB are system exports and
    are not scanned."""
    from defusedxml import ElementTree

    details = XlsxDetails()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        properties = workbook.find(f"{_MAIN}workbookPr")
        details.date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        targets = {}
        if "xl/_rels/workbook.xml.rels" in names:
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            for rel in rels:
                target = rel.get("Target", "")
                targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/xl/") else "xl/" + target
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            part = targets.get(sheet.get(relation))
            if not part or part not in names or archive.getinfo(part).file_size > _FORMULA_SCAN_LIMIT:
                continue
            data = archive.read(part)
            if b"mergeCell" in data:
                blocks, first = _merged_blocks(data)
                if blocks:
                    details.merges[sheet.get("name")] = blocks
                    details.first_columns[sheet.get("name")] = first
            if b"<f" not in data and not (b":f" in data and _FORMULA.search(data)):  # most sheets have none
                continue
            try:
                gaps = _formula_gaps(io.BytesIO(data))
            except ElementTree.ParseError:  # calamine read it; a check we cannot make is skipped
                continue
            if gaps:
                details.formula_gaps[sheet.get("name")] = gaps
    return details


# legacy .xls larger than this are system exports, whose merges (a title) need no filling;
# xlrd reads them 4× slower than calamine (60,000 rows: 1.3 s against 0.3 s, measured 2026-12)
_XLS_MERGE_SCAN_LIMIT = 2 * 1024 * 1024


def _xls_details(path: Path) -> XlsxDetails:
    """The merged blocks of a legacy .xls (BIFF), which calamine does not report: read with
    xlrd (formatting records are where merges live), for files up to 2 MB (typed sheets). A
    file xlrd cannot read keeps its cells as calamine reads them."""
    import xlrd

    details = XlsxDetails()
    if path.stat().st_size > _XLS_MERGE_SCAN_LIMIT:
        return details
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:  # calamine reads more variants than xlrd; the grid is still read
        return details
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            blocks = [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells]
            if not blocks:
                continue
            valued = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
            first = min(
                (c for r in range(sheet.nrows) for c, t in enumerate(sheet.row_types(r)) if t not in valued),
                default=0,
            )
            details.merges[sheet.name] = blocks
            details.first_columns[sheet.name] = first
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return details


def _excel_error(error: Exception, kind: str) -> str:
    text = str(error).lower()
    if "password" in text or "encrypt" in text:
        return "工作簿已加密（设置了打开密码），请去掉密码后另存再放入"
    if "zip" in text or "eof" in text or "truncat" in text or "invalid" in text:
        return f"{'xlsx' if kind == 'xlsx' else 'xls'}文件已损坏或被截断，无法读取，请重新导出"
    return f"无法读取的{kind}文件（{type(error).__name__}）"


def _decode_text(raw: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as error:
        raise Unreadable("文本编码无法识别（不是UTF-8也不是GB18030/GBK）") from error


def _read_csv(raw: bytes) -> Workbook:
    text = _decode_text(raw)
    sample = text[:20000]
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)
    elif counts["\t"] > counts[","] * 2:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [[cell if cell != "" else None for cell in row] for row in reader]
    return Workbook(format="csv", sheets=[Sheet(name="CSV", visibility="visible", grid=_grid(rows))])


class _TableParser(HTMLParser):
    """Tables of an HTML page as rows of cell texts. A cell spanning columns or rows
    (colspan/rowspan) puts its text in every position it covers: a merged cell's value
    applies to each row and column of the block. `<br>` inside a cell is a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str | None]]] = []
        self.merged: list[list[tuple[int, int, int, int]]] = []  # per table: its spanning cells
        self._stack: list[list[list[str | None]]] = []
        self._spans: list[list[tuple[int, int, int, int]]] = []
        self._row: list[str | None] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._rowspan = 1
        self._covered: dict[int, tuple[int, str | None]] = {}  # column → (further rows, text)

    def _skip_covered(self) -> None:
        assert self._row is not None
        while self._covered.get(len(self._row), (0, None))[0] > 0:
            left, text = self._covered[len(self._row)]
            self._covered[len(self._row)] = (left - 1, text)
            self._row.append(text)

    @staticmethod
    def _span(value: str | None) -> int:
        try:
            return max(1, min(int(value or 1), 1000))
        except ValueError:
            return 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append([])
            self._spans.append([])
            self._covered = {}
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._skip_covered()
            self._cell = []
            self._colspan = self._span(attrs.get("colspan"))
            self._rowspan = self._span(attrs.get("rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell).strip() or None
            start = len(self._row)
            self._row.extend([text] * self._colspan)
            if self._rowspan > 1:
                for column in range(start, start + self._colspan):
                    self._covered[column] = (self._rowspan - 1, text)
            if (self._colspan > 1 or self._rowspan > 1) and self._spans and self._stack:
                row = len(self._stack[-1])
                self._spans[-1].append((row, start, row + self._rowspan - 1, start + self._colspan - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            last = max((c for c, (n, _) in self._covered.items() if n > 0), default=-1)
            while len(self._row) <= last:  # rowspans ending the row
                left, text = self._covered.get(len(self._row), (0, None))
                if left > 0:
                    self._covered[len(self._row)] = (left - 1, text)
                self._row.append(text if left > 0 else None)
            self._stack[-1].append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
            self.merged.append(self._spans.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_charset(raw: bytes) -> str | None:
    match = re.search(rb'charset\s*=\s*["\']?([A-Za-z0-9_-]+)', raw[:4096], re.I)
    return match.group(1).decode("ascii").lower() if match else None


def _read_html(raw: bytes) -> Workbook:
    charset = _html_charset(raw)
    text = raw.decode("gb18030", errors="replace") if charset in ("gb2312", "gbk", "gb18030") else _decode_text(raw)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    workbook = Workbook(format="html")
    workbook.notes.append("文件实为网页表格（HTML），已按表格读取")
    for index, (rows, merged) in enumerate(zip(parser.tables, parser.merged, strict=True), start=1):
        if rows:
            workbook.sheets.append(Sheet(name=f"表格{index}", visibility="visible", grid=_grid(rows), merged=merged))
    if not workbook.sheets:
        raise Unreadable("文件实为网页（HTML），但其中没有表格")
    return workbook


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"


def _read_spreadsheetml(raw: bytes) -> Workbook:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as error:
        raise Unreadable("XML文件含有实体定义或外部引用（可能是恶意构造），已拒绝") from error
    except ElementTree.ParseError as error:
        raise Unreadable("XML表格文件已损坏，无法解析") from error
    workbook = Workbook(format="xml")
    workbook.notes.append("文件实为Excel 2003 XML表格（SpreadsheetML），已按表格读取")
    for worksheet in root.iter(f"{_SS}Worksheet"):
        name = worksheet.get(f"{_SS}Name") or f"Sheet{len(workbook.sheets) + 1}"
        visibility = "visible"
        options = worksheet.find(f"{_X}WorksheetOptions")
        if options is not None:
            visible = options.find(f"{_X}Visible")
            if visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
                visibility = "hidden"
        rows: list[list[str | None]] = []
        blocks: list[tuple[int, int, int, int]] = []
        table = worksheet.find(f"{_SS}Table")
        if table is not None:
            for row in table.findall(f"{_SS}Row"):
                index = row.get(f"{_SS}Index")
                if index and index.isdigit():
                    while len(rows) < int(index) - 1:
                        rows.append([])
                cells: list[str | None] = []
                for cell in row.findall(f"{_SS}Cell"):
                    position = cell.get(f"{_SS}Index")
                    if position and position.isdigit():
                        cells.extend([None] * (int(position) - 1 - len(cells)))
                    data = cell.find(f"{_SS}Data")
                    value = "".join(data.itertext()).strip() if data is not None else ""
                    column = len(cells)
                    cells.append(value or None)
                    across, down = cell.get(f"{_SS}MergeAcross"), cell.get(f"{_SS}MergeDown")
                    across = int(across) if across and across.isdigit() else 0
                    down = int(down) if down and down.isdigit() else 0
                    cells.extend([None] * across)
                    if across or down:
                        blocks.append((len(rows), column, len(rows) + min(down, 1000), column + across))
                rows.append(cells)
        grid = fill_merged(_grid(rows), blocks) if blocks else _grid(rows)
        workbook.sheets.append(Sheet(name=name, visibility=visibility, grid=grid, merged=blocks))
    return workbook
