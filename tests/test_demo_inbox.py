"""The demo inbox: deterministic, and every planted quirk ends where the data contract says."""

import hashlib

import pytest

from zhian.fixtures.generator import MANIFEST, generate


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_files(tmp_path, demo_inbox):
    inbox, _ = demo_inbox
    again = tmp_path / "again"
    generate(again)
    assert _digests(again) == _digests(inbox)


def test_another_seed_gives_other_data(tmp_path, demo_inbox):
    other = tmp_path / "other"
    generate(other, seed=5)
    assert (
        _digests(other)["申明坝派出所2022年7月警情.xlsx"] != _digests(demo_inbox[0])["申明坝派出所2022年7月警情.xlsx"]
    )


def test_scale_multiplies_alert_volumes(tmp_path, demo_inbox):
    manifest = generate(tmp_path / "big", scale=2)
    assert manifest.counts["alerts_shahe"] > 1.7 * demo_inbox[1].counts["alerts_shahe"]


@pytest.fixture(scope="module")
def plants(demo_inbox):
    return demo_inbox[1].plants


def test_manifest_lists_every_quirk_of_the_data_contract(plants):
    quirks = {p.quirk for p in plants}
    required = {
        "title_rows_export_time",
        "alias_headers",
        "legacy_xls",
        "gb18030_csv",
        "html_as_xls",
        "spreadsheetml_as_xls",
        "serial_dates_number",
        "serial_dates_text",
        "chinese_dates",
        "fullwidth_digits",
        "totals_row",
        "blank_rows",
        "hidden_sheet",
        "two_row_header",
        "daily_monthly_overlap",
        "case_reexport_new_status",
        "bad_id_checksum",
        "mangled_resident_id",
        "mangled_record_id",
        "masked_address",
        "ambiguous_number",
        "no_doorplate",
        "unknown_vocabulary",
        "unknown_case_status",
        "old_15_digit_id",
        "tree_codes_confirmed_original",
        "case_kind_column",
        "penalty_decision_sheet",
        "per_type_resident_export",
        "registry_split_address",
        "no_category_column",
        "english_aggregate_sheet",
        "office_lock_file",
        "not_a_workbook",
        "unknown_metric",
        "unparsable_target",
        "future_registration",
        "duplicate_resident_id",
        "passport_numbers",
        "registry_merged_cells",
        "split_date_time",
    }
    assert required <= quirks, required - quirks


def test_rejected_plants_are_in_rejected_rows_at_their_cell(plants, demo_con):
    for plant in (p for p in plants if p.expect == "rejected"):
        rows = demo_con.execute(
            "select column_name, value, reason from rejected_rows where source_file = $f and row_number = $r",
            {"f": plant.file, "r": plant.row},
        ).fetchall()
        assert rows, plant
        assert any(c == plant.column and v == plant.value for c, v, _ in rows), (plant, rows)


def test_unattributed_plants_are_loaded_without_a_compound(plants, demo_con):
    for plant in (p for p in plants if p.expect == "unattributed"):
        row = demo_con.execute(
            "select compound, attribution_note from alerts where source_file = $f and source_row = $r",
            {"f": plant.file, "r": plant.row},
        ).fetchone()
        assert row is not None and row[0] is None and row[1], plant


def test_loaded_plants_with_a_row_are_in_their_table(plants, demo_con):
    union = " union all ".join(
        f"select source_file, source_row from {t}"
        for t in ("alerts", "alerts_history", "cases", "cases_history", "residents", "residents_history", "ledger_rows")
    )
    for plant in (p for p in plants if p.expect == "loaded" and p.row):
        found = demo_con.execute(
            f"select count(*) from ({union}) where source_file = $f and source_row = $r",
            {"f": plant.file, "r": plant.row},
        ).fetchone()[0]
        assert found == 1, plant


def test_loaded_plants_files_loaded(plants, demo_con):
    outcomes = dict(demo_con.execute("select source_file, outcome from ingest_files").fetchall())
    for plant in (p for p in plants if p.expect == "loaded"):
        assert outcomes[plant.file] in ("loaded", "partly_loaded"), plant


def test_ignored_and_skipped_plants(plants, demo_con, demo_db):
    report = demo_db[1]
    assert report.ignored_files == 2  # the Office lock file and the manifest
    logged = demo_con.execute("select source_file, sheet, outcome, rows_blank, rows_total from ingest_log").fetchall()
    files = {f for f, *_ in logged}
    for plant in plants:
        if plant.quirk == "office_lock_file":
            assert plant.file not in files
        elif plant.quirk == "totals_row":
            assert any(f == plant.file and total == 1 for f, _, _, _, total in logged)
        elif plant.quirk == "blank_rows":
            assert any(f == plant.file and blank == 2 for f, _, _, blank, _ in logged)
        elif plant.expect == "skipped" and plant.sheet:
            assert any(f == plant.file and s == plant.sheet and o == "skipped" for f, s, o, _, _ in logged)
        elif plant.expect == "skipped":
            assert demo_con.execute(
                "select outcome from ingest_files where source_file = $f", {"f": plant.file}
            ).fetchone() == ("skipped",)


def test_history_plants(plants, demo_con):
    for plant in (p for p in plants if p.expect == "history"):
        assert (
            demo_con.execute(
                "select count(*) from alerts_history where source_file = $f and alert_id = $v",
                {"f": plant.file, "v": plant.value},
            ).fetchone()[0]
            == 1
        )
        assert (
            demo_con.execute("select source_file from alerts where alert_id = $v", {"v": plant.value}).fetchone()[0]
            != plant.file
        )


def test_every_row_read_is_loaded_rejected_or_ignored(demo_con):
    bad = demo_con.execute("""
        select source_file, sheet from ingest_log
        where outcome = 'loaded' and rows_read != rows_loaded + rows_rejected + rows_blank + rows_total
    """).fetchall()
    assert bad == []


def test_one_current_row_per_id(demo_con):
    for table, key in (("alerts", "alert_id"), ("cases", "case_id"), ("residents", "person_id")):
        assert demo_con.execute(f"select count(*) - count(distinct {key}) from {table}").fetchone()[0] == 0


def test_attribution_is_never_wrong_on_the_demo_data(demo_inbox, demo_con):
    truth = demo_inbox[1].truth
    wrong = []
    for table, key in (("alerts", "alert_id"), ("cases", "case_id")):
        for record_id, compound in demo_con.execute(
            f"select {key}, compound from {table} where compound is not null"
        ).fetchall():
            if truth[record_id] != compound:
                wrong.append((record_id, truth[record_id], compound))
    assert wrong == []


def test_most_records_inside_compounds_are_attributed(demo_inbox, demo_con):
    truth = demo_inbox[1].truth
    inside = [i for i, c in truth.items() if c is not None]
    attributed = dict(demo_con.execute("select alert_id, compound from alerts").fetchall())
    attributed.update(demo_con.execute("select case_id, compound from cases").fetchall())
    found = sum(1 for i in inside if attributed.get(i) is not None)
    assert found / len(inside) > 0.99


def test_manifest_is_hidden_from_the_ingest(demo_inbox, demo_con):
    assert (demo_inbox[0] / MANIFEST).exists()
    assert (
        demo_con.execute("select count(*) from ingest_files where source_file = $m", {"m": MANIFEST}).fetchone()[0] == 0
    )


def test_split_date_and_time_plant_gives_each_alert_its_time(plants, demo_inbox, demo_con):
    import datetime as dt

    import openpyxl

    plant = next(p for p in plants if p.quirk == "split_date_time")
    workbook = openpyxl.load_workbook(demo_inbox[0] / plant.file, read_only=True)
    expected = {}
    for alert_id, day, fraction, *_ in workbook[plant.sheet].iter_rows(min_row=3, values_only=True):
        expected[alert_id] = day + dt.timedelta(seconds=round(fraction * 86400))
    workbook.close()
    loaded = dict(
        demo_con.execute("select alert_id, alarm_at from alerts where source_file = ?", [plant.file]).fetchall()
    )
    assert loaded == expected and len(loaded) == 6
