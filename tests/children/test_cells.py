"""Spreadsheet cells, both ways: what starts like a formula (one list, children.sheets.FORMULA_START) is refused on
import and neutralised on export. The characters are typed in from OWASP's "CSV Injection" page (= + - @, tab,
carriage return) and ASVS 1.2.10 (the null character), not read from the constant under test."""

import pytest

from children.exports import neutral
from children.sheets import CellError, cell_plain_text

STARTS = ["=", "+", "-", "@", "\t", "\r", "\0"]


@pytest.mark.parametrize("start", STARTS)
def test_an_exported_cell_starting_like_a_formula_is_shown_as_text(start):
    assert neutral(start + "HYPERLINK(\"http://x\")") == "'" + start + 'HYPERLINK("http://x")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\0"])  # tab and carriage return are stripped on import
def test_imported_free_text_starting_like_a_formula_is_refused(start):
    with pytest.raises(CellError):
        cell_plain_text(start + "SUM(A1)", max_length=50)


@pytest.mark.parametrize("text", ["张三", "3号楼", "'=1", "（东）", "＝1", "a=b", ""])
def test_other_text_passes_both_ways_unchanged(text):
    assert neutral(text) == text
    assert cell_plain_text(text, max_length=50) == text


def test_leading_tab_or_carriage_return_is_stripped_on_import():
    assert cell_plain_text("\t\r张三", max_length=50) == "张三"
    assert neutral(12) == 12 and neutral(None) is None  # numbers and blanks are not text


# --- Full-width forms (one table, children.halfwidth), typed in ---------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("０１２３４５６７８９", "0123456789"),
        ("ＡＢＣＸＹＺ ａｂｃｘｙｚ", "ABCXYZ abcxyz"),
        ("３号楼（东）", "3号楼(东)"),
        ("\u3000张三\u3000", "张三"),  # the ideographic space, then stripped
        ("张三，李四。地址：东关村、西关村", "张三，李四。地址：东关村、西关村"),  # Chinese punctuation stays
    ],
)
def test_a_cell_gets_half_width_digits_letters_brackets_and_spaces(typed, cleaned):
    from children.sheets import cell_text

    assert cell_text(typed) == cleaned


def test_the_id_number_and_the_headers_use_the_same_table():
    from children.idnumber import normalise
    from children.sheets import normalise_header

    assert normalise("３７０２８３\u3000２０１５０６０１０１１ｘ") == "37028320150601011X"
    assert normalise_header("村（社区）代码*") == normalise_header("村(社区)代码") == "村(社区)代码"
    assert normalise_header("【备注】") == "(备注)"
