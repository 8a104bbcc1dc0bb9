import datetime

import pytest
from django.core.exceptions import ValidationError

from children import idnumber
from tests.idnumbers import KNOWN_VALID, PUBLISHED, check_character, make

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
        number = make("370283", birth, 1)
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
        (make("110105", datetime.date(2015, 1, 1), 3)[:10] + "0230" + "0031", "date", "not a real date"),
        ("110105" + "20270101" + "001" + check_character("11010520270101001"), "date", "impossible"),
        ("110105" + "18991231" + "001" + check_character("11010518991231001"), "date", "impossible"),
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


def test_check_digit_matches_the_standard_examples():
    # GB 11643-1999's examples: 11010519491231002 -> X, 44052418800101001 -> 4 (born 1880: parse refuses the date)
    assert [idnumber.check_digit(n[:17]) for n in PUBLISHED] == ["X", "4"]


def test_the_known_numbers_cover_every_check_value():
    assert sorted(KNOWN_VALID) == sorted("0123456789X")
    assert all(number[-1] == value for value, number in KNOWN_VALID.items())


@pytest.mark.parametrize("number", [*KNOWN_VALID.values(), PUBLISHED[0]])
def test_a_known_valid_number_is_accepted_and_any_other_check_character_refused(number):
    """Numbers typed in, one for each of the eleven check values: the validator accepts each as it is, and refuses
    the same seventeen digits with each of the ten other check characters."""
    assert idnumber.parse(number, today=TODAY).number == number
    assert idnumber.check_digit(number[:17]) == number[17]
    for other in sorted(set("0123456789X") - {number[17]}):
        with pytest.raises(ValidationError) as excinfo:
            idnumber.parse(number[:17] + other, today=TODAY)
        assert excinfo.value.code == "checksum", other


def test_the_tests_own_calculation_agrees_with_the_standards_weighted_sum():
    """tests.idnumbers (ISO 7064's recursive form) against the weighted sum written from GB 11643-1999 here, on the
    typed-in numbers and on a few thousand others: the factories' numbers are valid by the standard, not by
    children.idnumber. The weights are 2^(17-i) mod 11, as the standard defines them."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert weights == tuple(2 ** (17 - i) % 11 for i in range(17))
    mapping = "10X98765432"  # remainder 0..10 of the weighted sum -> check character

    def weighted(first17):
        return mapping[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]

    for number in [*KNOWN_VALID.values(), *PUBLISHED]:
        assert check_character(number[:17]) == weighted(number[:17]) == number[17]
    for n in range(5000):
        first17 = f"{370283 + n * 7919 % 600000:06d}{20100101 + n % 28:08d}{n % 1000:03d}"
        assert check_character(first17) == weighted(first17)


def test_mask_keeps_region_and_last_four():
    assert idnumber.mask("37020220150601123X") == "370202********123X"
