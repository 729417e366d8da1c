"""Build the shipped default `alert_codes.csv` (110 nature trees) and `case_codes.csv`
(GA 240.1 case categories) from the surveyed code tables.

    python -m zhian.pipeline.config.build_code_tables PATH/code-tables.json

Run once when the survey changes; the CSV is committed and is what analysts edit.
Rules (documented in docs/data-contract-decisions.md):
- Guangdong provincial tree: 刑事类 → 报警/刑事, 行政（治安）类 → 报警/治安 ("报警类" in
  practice); 交通类 → 其他/交通 (edit the `03` row to count traffic as 报警);
  群众紧急求助 → 求助 (自然灾害 and 事故灾难 → category 灾害事故; 火灾事故 keeps its name, so
  the fire metric finds it by subtype); 纠纷类 → 其他/纠纷; 举报 → 举报; 投诉监督 → 投诉;
  警务咨询 → 咨询; cancelled, duplicate, test, silent, cut-off, misdialled, prank and
  nuisance calls → 无效; everything else → 其他.
- 8-digit tags are 6-digit tree codes padded with `00`.
- National J codes: J01 刑事, J02 治安 (报警), J06 求助, J07 举报 (J01 assumed from the scheme).
- Joviansoft 6-digit codes appear as `caseType110` + code.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from zhian.pipeline.values.vocab import offence_of

OUT = Path(__file__).parent / "alert_codes.csv"
CASE_CODES_OUT = Path(__file__).parent / "case_codes.csv"

GD_TOP = {
    "01": ("报警", "刑事"),
    "02": ("报警", "治安"),
    "03": ("其他", "交通"),
    "04": ("其他", "其他"),
    "05": ("其他", "其他"),
    "06": ("求助", "其他"),
    "07": ("其他", "其他"),
    "08": ("其他", "纠纷"),
    "09": ("举报", "其他"),
    "10": ("投诉", "其他"),
    "11": ("咨询", "其他"),
    "12": ("其他", "其他"),
    "98": ("其他", "其他"),
}
GD_OVERRIDES = {
    "0607": ("", "灾害事故"),
    "0608": ("", "灾害事故"),
    **{code: ("无效", "") for code in ("1202", "1203", "1204", "1205", "1206", "1207", "1208", "1210")},
}
J_TOP = {
    "J010000": ("报警", "刑事", "刑事警情（按编码规则推定）"),
    "J020000": ("报警", "治安", None),
    "J060000": ("求助", "其他", None),
    "J070000": ("举报", "其他", None),
}


def _jovian(code: str) -> tuple[str, str]:
    head = code[:2]
    if code[0] == "1":
        return "报警", "刑事"
    if code[0] == "2":
        return "报警", "治安"
    if code[0] == "3":
        return "其他", "交通"
    if code[0] == "4":
        return "其他", "火灾"
    if code[0] == "5":
        return "求助", "其他"
    if head in ("60", "65"):
        return "其他", "其他"
    if code[0] == "7":
        return "其他", "其他"
    if code[0] == "8":
        return "求助", "灾害事故"
    if head == "90":
        return "举报", "其他"
    if head == "95":
        return "投诉", "其他"
    return "其他", "其他"


def build(tables: dict) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(code, name, nature="", category="", source=""):
        if code in seen:
            return
        seen.add(code)
        rows.append(
            {
                "code": code,
                "name": name,
                "nature": nature,
                "category": category,
                "offence": offence_of(name) or "",
                "source": source,
            }
        )

    for node in tables["guangdong_provincial_110_nature_tree"]["rows"]:
        code = node["code"]
        nature, category = GD_TOP.get(code, GD_OVERRIDES.get(code, ("", "")))
        add(code, node["name"], nature, category, "gd")
    for node in tables["city_dsjfx_gambling_nature_tags"]["rows"]:
        add(node["tag"], node["name"], source="gd-tag")
    for node in tables["national_J_alert_codes_seen"]["rows"]:
        for level in ("bjlb", "bjlx", "bjxl"):
            code, name = node.get(level + "dm"), node.get(level + "mc")
            if code:
                nature, category, _ = J_TOP.get(code, ("", "", None))
                add(code, name, nature, category, "national-J")
    for code, (nature, category, name) in J_TOP.items():
        add(code, name or "", nature, category, "national-J")
    for node in tables["joviansoft_bjlxdmb_110_alert_type_codes"]["rows"]:
        nature, category = _jovian(node["code"])
        add("caseType110" + node["code"], node["name"], nature, category, "joviansoft")
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv[1:]
    if not argv:
        raise SystemExit("usage: python -m zhian.pipeline.config.build_code_tables PATH/code-tables.json")
    source = Path(argv[0])
    tables = json.loads(source.read_text(encoding="utf-8"))
    rows = build(tables)
    _write(OUT, rows)
    case_rows = [
        {"code": r["code"], "name": r["name"], "active": "1" if r.get("active", True) else "0"}
        for r in tables["ga240_1_case_category_codes"]["rows"]
    ]
    _write(CASE_CODES_OUT, case_rows)


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows → {path}")


if __name__ == "__main__":
    main()
