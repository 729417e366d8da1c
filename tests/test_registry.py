"""The compound registry: several addresses per compound, aliases, split addresses, conflicts."""

from tests.conftest import REGISTRY_HEADER, run_ingest, write_sheet


def test_compound_with_several_address_rows_is_one_compound(inbox, fresh_db):
    rows = [["花园小区", f"凤仙路457号附{i}号", "凤仙路社区", 300, None] for i in range(1, 5)]
    write_sheet(inbox, "名册.xlsx", REGISTRY_HEADER, rows)
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select compound, population_base, address_count from compounds").fetchall() == [
        ("花园小区", 300, 4)
    ]


def test_compound_level_value_given_once_is_enough(inbox, fresh_db):
    rows = [["花园小区", "凤仙路443号", "凤仙路社区", 300, "凤仙花园"], ["花园小区", "凤仙路459号", None, None, None]]
    write_sheet(inbox, "名册.xlsx", REGISTRY_HEADER, rows)
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select community, population_base, aliases from compounds").fetchall() == [
        ("凤仙路社区", 300, "凤仙花园")
    ]


def test_conflicting_compound_values_reject_the_rows_and_name_both(inbox, fresh_db):
    rows = [
        ["花园小区", "凤仙路443号", "凤仙路社区", 300, None],
        ["花园小区", "凤仙路459号", "凤仙路社区", 350, None],
        ["滨湖公寓", "滨湖路1546号", "凤仙路社区", 500, None],
    ]
    write_sheet(inbox, "名册.xlsx", REGISTRY_HEADER, rows)
    run_ingest(inbox, fresh_db)
    reasons = fresh_db.execute("select row_number, reason from rejected_rows order by row_number").fetchall()
    assert [r[0] for r in reasons] == [2, 3]
    assert "第2行为“300”" in reasons[0][1] and "第3行为“350”" in reasons[0][1]
    assert fresh_db.execute("select compound from compounds").fetchall() == [("滨湖公寓",)]


def test_one_address_under_two_compounds_is_rejected(inbox, fresh_db):
    rows = [["花园小区", "凤仙路443号", None, None, None], ["和谐小区", "凤仙路443号", None, None, None]]
    write_sheet(inbox, "名册.xlsx", REGISTRY_HEADER, rows)
    run_ingest(inbox, fresh_db)
    reasons = [r[0] for r in fresh_db.execute("select reason from rejected_rows").fetchall()]
    assert len(reasons) == 2 and "不同小区" in reasons[0]


def test_split_address_is_assembled(inbox, fresh_db):
    write_sheet(
        inbox,
        "名册.xlsx",
        ["序号", "小区（单位）名称", "街路巷", "门牌号", "实有人口底数"],
        [[1, "茵芳小区", "涞寅路", "188弄", "3,200"], [2, "九亭苑", "九亭大街", "500", 900]],
    )
    run_ingest(inbox, fresh_db)
    assert fresh_db.execute("select compound, address from compound_addresses order by 1").fetchall() == [
        ("九亭苑", "九亭大街500号"),
        ("茵芳小区", "涞寅路188弄"),
    ]
    assert fresh_db.execute("select population_base from compounds order by compound").fetchall() == [(900,), (3200,)]


def test_newer_registry_export_adds_addresses_and_its_values_win(inbox, fresh_db):
    write_sheet(
        inbox,
        "名册1.xlsx",
        REGISTRY_HEADER,
        [["花园小区", "凤仙路443号", None, 300, None]],
        titles=["导出时间：2022-01-01 08:00:00"],
    )
    write_sheet(
        inbox,
        "名册2.xlsx",
        REGISTRY_HEADER,
        [["花园小区", "凤仙路459号", None, 320, None]],
        titles=["导出时间：2022-06-01 08:00:00"],
    )
    run_ingest(inbox, fresh_db)
    # registry files add up (one per community is common): the older address stays
    addresses = fresh_db.execute("select address from compound_addresses order by address").fetchall()
    assert addresses == [("凤仙路443号",), ("凤仙路459号",)]
    assert fresh_db.execute("select population_base from compounds").fetchall() == [(320,)]


def test_population_base_must_be_a_whole_number(inbox, fresh_db):
    write_sheet(inbox, "名册.xlsx", REGISTRY_HEADER, [["花园小区", "凤仙路443号", None, "约三百", None]])
    run_ingest(inbox, fresh_db)
    assert "整数" in fresh_db.execute("select reason from rejected_rows").fetchone()[0]
