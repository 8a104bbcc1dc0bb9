"""The selection a bulk action takes: numbers only, each once, never empty, at most the cap."""

import pytest
from django.core.exceptions import ValidationError

from bulk import rules


def test_a_selection_is_its_numbers_once_in_order():
    assert rules.selection(["12", "7", "12", " 9 "]) == [12, 7, 9]


@pytest.mark.parametrize(
    "values",
    [[], [""], ["12", "x"], ["-3"], ["1.5"], ["０１"], ["0"], ["99999999999999999999999"]],
)
def test_anything_but_archive_numbers_is_refused_whole(values):
    with pytest.raises(ValidationError):
        rules.selection(values)


def test_the_cap():
    assert len(rules.selection([str(n) for n in range(1, 501)])) == 500
    with pytest.raises(ValidationError) as exc:
        rules.selection([str(n) for n in range(1, 502)])
    assert "501" in exc.value.messages[0] and "500" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        rules.selection(["1", "2", "3"], cap=2)
