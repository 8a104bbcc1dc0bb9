"""Area codes (GB/T 2260 style, extended to townships and villages): the lengths live in accounts.models
(PREFIX_LENGTH, CODE_LENGTH); the helpers built on them are checked against codes typed in."""

import pytest

from accounts.areas import ancestor_prefixes
from accounts.models import AreaLevel, enclosing_code

VILLAGE = "370283001001"  # 平度市东阁街道东关村 in the demo tree


@pytest.mark.parametrize(
    ("level", "code"),
    [
        (AreaLevel.PROVINCE, "370000"),
        (AreaLevel.CITY, "370200"),
        (AreaLevel.COUNTY, "370283"),
        (AreaLevel.TOWNSHIP, "370283001"),
        (AreaLevel.VILLAGE, "370283001001"),
        ("county", "370283"),  # the level as stored (a plain string) works too
    ],
)
def test_the_code_of_the_area_holding_a_village(level, code):
    assert enclosing_code(VILLAGE, level) == code


def test_the_code_of_the_county_holding_a_township_or_a_county():
    assert enclosing_code("370283001", AreaLevel.COUNTY) == "370283"
    assert enclosing_code("370283", AreaLevel.COUNTY) == "370283"


def test_ancestor_prefixes():
    assert ancestor_prefixes(VILLAGE) == ["37", "3702", "370283", "370283001", "370283001001"]
    assert ancestor_prefixes("370283001") == ["37", "3702", "370283", "370283001"]
    assert ancestor_prefixes("370283") == ["37", "3702", "370283"]
