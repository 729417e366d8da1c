"""Resident ID numbers (GB 11643) and record numbers mangled by Excel."""

import pytest

from zhian.fixtures.people import with_bad_checksum
from zhian.pipeline.values.idnumbers import check_digit, excel_mangled_reason, resident_id_problem

VALID = "11010519491231002" + check_digit("11010519491231002")


def test_valid_resident_id_has_no_problem():
    assert resident_id_problem(VALID) is None


def test_lower_case_x_check_character_is_accepted():
    first17 = next(f"11010519900101{i:03d}" for i in range(1000) if check_digit(f"11010519900101{i:03d}") == "X")
    assert resident_id_problem((first17 + "X").lower()) is None


def test_wrong_checksum_is_rejected_with_reason():
    assert "校验位" in resident_id_problem(with_bad_checksum(VALID))


def test_fifteen_digit_old_id_is_flagged_not_converted():
    assert "15位" in resident_id_problem("110105491231002")


@pytest.mark.parametrize("raw", ["1.10101E+17", "1.10105E+17", "110105194912310000.0"])
def test_id_in_scientific_notation_or_float_is_unrecoverable(raw):
    assert "表格软件" in resident_id_problem(raw)


def test_id_cut_to_fifteen_digits_by_excel_is_explained():
    cut = VALID[:15] + "000"
    assert "表格软件" in resident_id_problem(cut)


def test_impossible_birth_date_is_rejected():
    first17 = "11010519491331002"
    assert "出生日期" in resident_id_problem(first17 + check_digit(first17))


def test_unknown_province_code_is_rejected():
    first17 = "99010519491231002"
    assert "地区码" in resident_id_problem(first17 + check_digit(first17))


@pytest.mark.parametrize("raw", ["J50010120220701000123", "A3101170000002022070001", "12345", "X1"])
def test_record_ids_are_never_rejected_for_their_length(raw):
    assert excel_mangled_reason(raw) is None


@pytest.mark.parametrize("raw", ["5.00101E+19", "50010120220701.0", "50010120220701000000"])
def test_record_ids_mangled_by_excel_are_rejected(raw):
    assert excel_mangled_reason(raw) is not None
