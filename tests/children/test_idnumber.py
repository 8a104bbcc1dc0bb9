import datetime

import pytest
from django.core.exceptions import ValidationError

from children import idnumber

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("raw", "number", "birth", "sex"),
    [
        ("11010519491231002X", "11010519491231002X", datetime.date(1949, 12, 31), "F"),
        ("11010519491231002x", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # lowercase x
        (" 110105 19491231 002X ", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # spaces
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", datetime.date(1949, 12, 31), "F"),  # full-width
        ("\u3000370283201506010011\u3000", None, datetime.date(2015, 6, 1), "M"),  # ideographic spaces
    ],
)
def test_good_numbers_are_normalised(raw, number, birth, sex):
    if number is None:  # build a valid one for this birth date with an odd (male) sequence
        number = idnumber.make("370283", birth, 1)
        raw = raw.replace("370283201506010011", number)
    info = idnumber.parse(raw, today=TODAY)
    assert (info.number, info.birth_date, info.sex) == (number, birth, sex)


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("110105194912310021", "checksum", "check digit"),  # wrong check digit
        ("11010519491231002Y", "shape", "18 characters"),
        ("1101051949123100", "shape", "18 characters"),  # too short
        ("110105491231002", "legacy", "15-digit"),  # old 15-digit number
        (idnumber.make("110105", datetime.date(2015, 1, 1), 3)[:10] + "0230" + "0031", "date", "not a real date"),
        ("110105" + "20270101" + "001" + idnumber.check_digit("11010520270101001"), "date", "impossible"),
        ("110105" + "18991231" + "001" + idnumber.check_digit("11010518991231001"), "date", "impossible"),
        ("", "required", "Enter"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw, code, fragment):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            idnumber.parse(raw, today=TODAY)
        assert excinfo.value.code == code
        assert fragment in str(excinfo.value.messages[0])


def test_messages_are_chinese_by_default(settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            idnumber.parse("110105491231002", today=TODAY)
        assert "15位" in str(excinfo.value.messages[0])


def test_check_digit_matches_the_standard_example():
    # GB 11643-1999 appendix example: 11010519491231002 -> X
    assert idnumber.check_digit("11010519491231002") == "X"


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask("37020220150601123X") == "370202********123X"
