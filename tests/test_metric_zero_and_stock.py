"""Zero counts (不发生) and stock rates (实有人口)."""

import datetime as dt

from tests.conftest import result, seed

D = dt.date
T = dt.datetime
WINDOW = (D(2022, 7, 1), D(2022, 9, 30))


def _fire(day, major=True, **extra):
    return {
        "compound": "A",
        "alarm_at": T.combine(day, dt.time(21)),
        "nature": "求助",
        "category": "灾害事故",
        "alert_type": "火灾事故",
        "offence": "火灾",
        "is_major": major,
        **extra,
    }


def _zero(metric="major_fire_incidents", op="=", value=0):
    return ("整治", "A", *WINDOW, metric, op, value)


def test_zero_count_met_when_the_window_ended_without_any(fresh_db):
    seed(
        fresh_db, compounds=["A"], alerts=[_fire(D(2022, 6, 30)), _fire(D(2022, 7, 5), major=False)], targets=[_zero()]
    )
    row = result(fresh_db, D(2022, 10, 1))
    assert (row["actual"], row["status"]) == (0, "met")


def test_zero_count_on_track_while_running_at_zero(fresh_db):
    seed(fresh_db, compounds=["A"], targets=[_zero()])
    assert result(fresh_db, D(2022, 8, 1))["status"] == "on_track"


def test_zero_count_missed_as_soon_as_one_occurs_mid_window(fresh_db):
    seed(fresh_db, compounds=["A"], alerts=[_fire(D(2022, 7, 20))], targets=[_zero()])
    assert result(fresh_db, D(2022, 7, 19))["status"] == "on_track"
    row = result(fresh_db, D(2022, 7, 20))
    assert (row["status"], row["note"]) == ("missed", "已发生 1 起")


def test_fire_found_by_type_whatever_the_category(fresh_db):
    alerts = [
        _fire(D(2022, 7, 5), category="其他", offence=None),
        _fire(D(2022, 7, 6), category="火灾", alert_type=None),
    ]
    seed(fresh_db, compounds=["A"], alerts=alerts, targets=[_zero()])
    assert result(fresh_db, D(2022, 10, 1))["actual"] == 2


def test_zero_count_with_an_upper_bound(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        alerts=[_fire(D(2022, 7, 5)), _fire(D(2022, 7, 6))],
        targets=[_zero(op="<=", value=2)],
    )
    assert result(fresh_db, D(2022, 10, 1))["status"] == "met"


def test_accountant_fraud_cases(fresh_db):
    cases = [
        {
            "compound": "A",
            "case_kind": "criminal",
            "event_at": T(2022, 7, 5),
            "status": "filed",
            "offence": o,
            "is_victim_accountant": v,
        }
        for o, v in (("电信网络诈骗", True), ("诈骗", False), ("盗窃", True))
    ]
    seed(fresh_db, compounds=["A"], cases=cases, targets=[_zero(metric="accountant_fraud_cases")])
    assert result(fresh_db, D(2022, 10, 1))["actual"] == 1


def _resident(registered, verification="未核查", compound="A"):
    return {"compound": compound, "registered_at": registered, "verification": verification}


def _stock(metric, value=98):
    return ("整治", "A", *WINDOW, metric, ">=", value)


def test_registration_rate_counts_registered_by_as_of_over_the_population_base(fresh_db):
    residents = [_resident(D(2022, 1, 1))] * 49 + [_resident(D(2022, 12, 1))]  # one registers after as_of
    seed(fresh_db, compounds=[("A", 50)], residents=residents, targets=[_stock("population_registration_rate")])
    row = result(fresh_db, D(2022, 10, 1))
    assert (row["numerator"], row["denominator"], row["status"]) == (49, 50, "met")


def test_registration_rate_just_below_target(fresh_db):
    seed(
        fresh_db,
        compounds=[("A", 100)],
        residents=[_resident(D(2022, 1, 1))] * 97,
        targets=[_stock("population_registration_rate")],
    )
    assert result(fresh_db, D(2022, 10, 1))["status"] == "missed"


def test_registration_without_population_base_is_no_data(fresh_db):
    seed(
        fresh_db,
        compounds=["A"],
        residents=[_resident(D(2022, 1, 1))],
        targets=[_stock("population_registration_rate")],
    )
    row = result(fresh_db, D(2022, 10, 1))
    assert (row["status"], row["note"]) == ("no_data", "小区名册中没有实有人口底数")


def test_duplicate_ids_are_one_resident(inbox, fresh_db):
    from tests.conftest import run_ingest, write_registry, write_sheet
    from zhian.pipeline.values.idnumbers import check_digit

    write_registry(inbox, [["花园小区", "凤仙路457号附1号", "凤仙路社区", 2, None]])
    first17 = "11010519491231002"
    person = first17 + check_digit(first17)
    rows = [[person, "户籍", "凤仙路457号附1号", "2022-01-01"], [person, "户籍", "凤仙路457号附1号", "2022-02-01"]]
    write_sheet(inbox, "人口.xlsx", ["公民身份号码", "人口类型", "居住地址", "登记日期"], rows)
    run_ingest(inbox, fresh_db)
    target = ("整治", "花园小区", D(2022, 7, 1), D(2022, 9, 30), "population_registration_rate", ">=", 98)
    seed(fresh_db, targets=[target])
    row = result(fresh_db, D(2022, 10, 1))
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_accuracy_rate_excludes_unchecked_records(fresh_db):
    residents = (
        [_resident(D(2022, 1, 1), "准确")] * 49
        + [_resident(D(2022, 1, 1), "不准确")]
        + [_resident(D(2022, 1, 1), "未核查")] * 20
        + [_resident(D(2022, 12, 1), "不准确")]
    )
    seed(fresh_db, compounds=[("A", 100)], residents=residents, targets=[_stock("population_accuracy_rate")])
    row = result(fresh_db, D(2022, 10, 1))
    assert (row["numerator"], row["denominator"], row["status"]) == (49, 50, "met")


def test_residents_of_other_or_no_compounds_do_not_count(fresh_db):
    residents = (
        [_resident(D(2022, 1, 1))] * 3
        + [_resident(D(2022, 1, 1), compound="B")] * 5
        + [_resident(D(2022, 1, 1), compound=None)]
    )
    seed(
        fresh_db, compounds=[("A", 3), ("B", 5)], residents=residents, targets=[_stock("population_registration_rate")]
    )
    assert result(fresh_db, D(2022, 10, 1))["numerator"] == 3
