"""The pure rule of which list rows propose a change (exchange.rules), row by row, with no database."""

import pytest

from exchange.rules import change_for, change_when_gone


@pytest.mark.parametrize(
    ("status", "previous", "held", "on_roll", "expected"),
    [
        ("seriously_ill", None, set(), False, "seriously_ill"),  # the source's first list
        ("seriously_ill", "seriously_ill", set(), False, None),  # as on the previous list
        ("seriously_ill", None, {"seriously_ill"}, False, None),  # the archive holds the category
        ("disabled", "enrolled", set(), False, "disabled"),
        ("disabled", None, {"disabled"}, False, None),
        ("disabled", None, {"seriously_ill"}, False, "disabled"),  # another category says nothing
        ("on_roll", None, set(), False, "welfare_started"),
        ("on_roll", None, set(), True, None),  # a 低保 or 特困 coverage recorded already
        ("on_roll", "on_roll", set(), False, None),
        ("dropped_out", None, {"dropout"}, False, None),
        ("enrolled", None, set(), False, None),
    ],
)
def test_change_for(status, previous, held, on_roll, expected):
    assert change_for(status, previous, held, on_roll) == expected


@pytest.mark.parametrize(
    ("previous", "on_roll", "expected"),
    [
        ("on_roll", True, "welfare_ended"),
        ("on_roll", False, None),  # nothing recorded to end
        ("seriously_ill", True, None),  # off the illness list: no evidence of recovery
        ("dropped_out", False, None),
        ("parent_detained", False, None),
    ],
)
def test_change_when_gone(previous, on_roll, expected):
    assert change_when_gone(previous, on_roll) == expected
