"""Reading the spreadsheets staff upload (.xlsx, .xls, .csv in UTF-8 or GBK) into rows, with Chinese errors.

One reader for every upload of tabular data (the children import, proactive discovery lists …):

    sheet = read_table(upload, columns={"身份证号": ["身份证号码", "公民身份号码"], "姓名": []}, required=["姓名"])
    for number, record in sheet.records():   # number = the row number the user sees in Excel
        record["身份证号"], record.get("备注")

- .xlsx/.xls are parsed with python-calamine (about 13× faster than openpyxl); values come typed (str, float,
  int, bool, datetime.date/datetime); formulas give their cached result. Merged cells are filled with the value
  of their top-left cell, so a header merged across rows or a title merged across the columns reads right.
- The header row is found among the first rows (a title row above it is fine); a two-row header whose second
  row completes the first (监护人 over 姓名/电话 → 监护人姓名/监护人电话) is joined.
- Blank rows are skipped; headers are normalised (spaces, *, full-width brackets) and matched to their canonical
  name through the aliases given; unknown columns keep their own header.
- A file that is empty, too large, not a spreadsheet or without the required columns raises SheetError (a
  ValidationError whose message says what is wrong, in the user's language).

The cell helpers below (`cell_text`, `cell_date` …) turn those typed values into clean ones the same way for every
importer: numbers stored as text, text dates, Excel serial dates, ID numbers stored as numbers (precision lost).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .halfwidth import half_width

HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_ROWS = 200_000


class SheetError(ValidationError):
    """The file as a whole cannot be read; nothing in it was used."""


class CellError(ValueError):
    """A cell's value is not acceptable; the message says why, in the user's language."""


@dataclass
class Sheet:
    headers: list[str]  # canonical name per column, or the header as written for unknown columns
    # (row number in the file, values): read from the file as they are iterated (once), or any iterable
    rows: Iterable[tuple[int, list[Any]]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # headers not among the expected columns
    expected: int = 0  # about how many rows there are, when the file says (progress only); 0 if unknown

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The rows as {header: value}, one at a time (a file is not held as a whole list of rows)."""
        columns = [(i, h) for i, h in enumerate(self.headers) if h]
        for number, values in self.rows:
            width = len(values)
            yield number, {h: values[i] if i < width else "" for i, h in columns}


_HEADER_JUNK = re.compile(r"[\s*＊:：]")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")"})  # besides the full-width round ones


def normalise_header(text: Any) -> str:
    return half_width(_HEADER_JUNK.sub("", str(text or ""))).translate(_BRACKETS)


def _alias_map(columns: Mapping[str, Iterable[str]]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for canonical, others in columns.items():
        for name in (canonical, *others):
            aliases[normalise_header(name)] = canonical
    return aliases


# --- Parsing ------------------------------------------------------------------------------------------------


def _read_bytes(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise SheetError(_too_large(max_bytes))
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SheetError(_too_large(max_bytes))
    if not data.strip():
        raise SheetError(_("The file is empty."))
    return data


def _too_large(max_bytes: int) -> str:
    return _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": max_bytes // (1024 * 1024)}


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _is_ole(data: bytes) -> bool:
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


MAX_CELLS = 10_000_000  # of the first sheet's used area: a 200,000-row table 50 columns wide
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _xlsx_area(data: bytes) -> tuple[int, int] | None:
    """(last row, last column) of the first sheet's used area as the .xlsx file states it (<dimension ref="A1:R2001"/>,
    in the sheet's first bytes), or None if it does not say. calamine builds the whole area in memory (some 32 bytes
    a cell, blank or not), so one stray value at column ALL of a 200,000-row sheet would take 6 GB: checked first."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
            first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", book)
            if not first:
                return None
            for rel in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
                if re.search(rb"\bId=\"" + re.escape(first.group(1)) + rb"\"", rel):
                    target = re.search(rb"\bTarget=\"([^\"]+)\"", rel)
                    break
            else:
                return None
            path = target.group(1).decode()
            path = path.lstrip("/") if path.startswith("/") else "xl/" + path
            with archive.open(path) as sheet:
                head = sheet.read(4096)
    except (KeyError, OSError, ValueError, zipfile.BadZipFile, AttributeError):
        return None
    match = _DIMENSION.search(head)
    if not match:
        return None
    last_col, last_row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    return int(last_row), _column_number(last_col)


def _workbook_rows(data: bytes) -> tuple[Iterator[list[Any]], list, int]:
    """The first sheet's rows from row 1 and column A, one list at a time, merged cells filled with the value of
    their top-left cell; the merged ranges ((row, col), (row, col), 0-based, inclusive); the sheet's height."""
    from python_calamine import CalamineWorkbook

    area = _xlsx_area(data) if _is_zip(data) else None
    if area and area[0] * area[1] > MAX_CELLS:
        rows, columns = area
        raise SheetError(
            _(
                "The sheet's used area reaches row %(rows)s and column %(column)s, too large to read. Delete the "
                "empty rows and columns around the table (or copy the table into a new workbook) and save again."
            )
            % {"rows": rows, "column": column_letter(columns - 1)}
        )
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        merged = list(sheet.merged_cell_ranges or [])
        left = sheet.start[1] if sheet.start else 0  # iter_rows starts at the first used column
        rows = sheet.iter_rows()
        height = sheet.total_height
    except Exception:  # noqa: BLE001 - calamine raises several types for a damaged or foreign file
        raise SheetError(_("This file is not a readable spreadsheet (.xlsx, .xls or .csv).")) from None

    def iterate() -> Iterator[list[Any]]:
        starting: dict[int, list] = {}
        for (r0, c0), (r1, c1) in merged:
            starting.setdefault(r0, []).append((c0, r1, c1))
        active: list[list] = []  # [c0, last row, last column, value]
        pad = [""] * left
        for r, row in enumerate(rows):
            row = pad + row if left else row
            if starting:
                for c0, r1, c1 in starting.pop(r, ()):
                    active.append([c0, r1, c1, row[c0] if c0 < len(row) else ""])
            if active:
                active = [m for m in active if m[1] >= r]
                for c0, _r1, c1, value in active:
                    for c in range(c0, min(c1, len(row) - 1) + 1):
                        row[c] = value
            yield row

    return iterate(), merged, height


def _too_many(max_rows: int) -> str:
    return _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": max_rows}


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    """The rows of a CSV file (UTF-8 or GBK, comma, tab or semicolon), one list at a time."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.lookup(encoding).decode(data)  # validates; the text itself is read in pieces below
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SheetError(_("The text file is neither UTF-8 nor GBK."))
    head = data[:8192].decode(encoding, errors="ignore")[:4096]
    if head.startswith("%PDF") or sum(1 for ch in head if ch < " " and ch not in "\t\r\n") > len(head) // 100:
        raise SheetError(_("This file is not a readable spreadsheet (.xlsx, .xls or .csv)."))
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        yield from csv.reader(text, dialect)
    except csv.Error:
        raise SheetError(_("This file is not a readable spreadsheet (.xlsx, .xls or .csv).")) from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(
    grid: list[list[Any]], aliases: dict[str, str], required: list[str]
) -> tuple[int, list[str], int] | None:
    """(index of the header row, canonical headers, index of the first data row), or None."""
    known = set(aliases.values())
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        first = [normalise_header(v) for v in grid[r]]
        names = [aliases.get(h, h) for h in first]
        if not all(n in names for n in required):
            continue
        if r + 1 < len(grid):  # a second header row completing the first (merged group headers)
            second = [normalise_header(v) for v in grid[r + 1]]
            joined = []
            for i in range(max(len(first), len(second))):
                a = first[i] if i < len(first) else ""
                b = second[i] if i < len(second) else ""
                joined.append(a if a == b or not b else b if not a else a + b)
            joined_names = [aliases.get(h, h) for h in joined]
            if len(known.intersection(joined_names)) > len(known.intersection(names)):
                return r, joined_names, r + 2
            if any(second) and all(not b or a == b for a, b in zip(first, second, strict=False)):
                return r, names, r + 2  # the header merged down over two rows
        return r, names, r + 1
    return None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names its columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(
    upload,
    *,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str],
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int | None = None,
) -> Sheet:
    """Read the first sheet of an uploaded .xlsx/.xls/.csv into a Sheet (see the module docstring).

    The header is found and checked here; the data rows are read as the Sheet's rows are iterated, and the
    (max_rows + 1)th non-blank row raises SheetError there: a file is never read whole into lists."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    data = _read_bytes(upload, max_bytes)
    if _is_zip(data) or _is_ole(data):
        rows, merged, height = _workbook_rows(data)
    else:
        rows, merged, height = _csv_rows(data), [], 0
    head = list(islice(rows, HEADER_SEARCH_ROWS + 1))  # a header and its possible second row among the first rows
    required = list(required)
    aliases = _alias_map(columns)
    found = _find_header(head, aliases, required)
    if found is None:
        raise SheetError(
            _("Required columns not found: %(cols)s. Use the template's headers.") % {"cols": "、".join(required)}
        )
    r, headers, start = found
    header_rows = range(r, start)
    # A header merged across columns repeats in each of them and is read once; a column repeated is refused.
    copies = {
        c for (r0, c0), (r1, c1) in merged if any(r0 <= h <= r1 for h in header_rows) for c in range(c0 + 1, c1 + 1)
    }
    first: dict[str, int] = {}
    for i, h in enumerate(headers):
        if not h:
            continue
        if h not in first:
            first[h] = i
        elif i in copies or h not in columns:  # unknown columns are not read anyway
            headers[i] = ""
        else:
            raise SheetError(
                _(
                    "The column “%(header)s” appears more than once (columns %(first)s and %(again)s). Keep one "
                    "and delete the other."
                )
                % {"header": h, "first": column_letter(first[h]), "again": column_letter(i)}
            )
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        count = 0
        for index, values in enumerate(chain(head[start:], rows), start=start):
            if len(values) > width:
                values = values[:width]  # cells right of the last header are not read
            if all(_blank(v) for v in values):
                continue
            count += 1
            if count > max_rows:
                raise SheetError(_too_many(max_rows))
            if len(values) < width:
                values = list(values) + [""] * (width - len(values))
            yield index + 1, values

    body = data_rows()
    try:
        top = next(body)
    except StopIteration:
        raise SheetError(_("The spreadsheet has no data rows.")) from None
    return Sheet(
        headers=headers,
        rows=chain([top], body),
        extra_columns=[h for h in headers if h and h not in columns],
        expected=max(0, height - start),
    )


# --- Cells --------------------------------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)
# What a spreadsheet may run as a formula when it starts a cell (OWASP "CSV Injection": = + - @, tab, carriage
# return; ASVS 1.2.10 adds the null character). The one list: imports refuse free text starting so, exports
# prefix such cells with an apostrophe (children.exports.neutral).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def cell_text(value: Any) -> str:
    """A cell as text: numbers stored as numbers lose their '.0', surrounding space goes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return half_width(value).strip() if isinstance(value, str) else str(value).strip()


def cell_plain_text(value: Any, *, max_length: int) -> str:
    """Free text (names, addresses): refused if it starts like a formula or is too long."""
    text = str(value).strip() if isinstance(value, str) else cell_text(value)
    if text.startswith(FORMULA_START):
        raise CellError(_("must not start with = + - or @"))
    if len(text) > max_length:
        raise CellError(_("is longer than %(n)s characters") % {"n": max_length})
    return text


def cell_id_number(value: Any) -> str:
    """An ID number cell. Excel keeps 15 significant digits, so an 18-digit number stored as a number is lost."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            _("was stored by Excel as a number, which loses its last digits: format the column as text and re-enter it")
        )
    from .idnumber import normalise

    return normalise(cell_text(value))


# A mobile number as rosters write it: +86 138 0013 8000, 86-138-0013-8000, (0086)13800138000 …
_PHONE_SEPARATORS = re.compile(r"[\s\-－—–.·()（）]")
_MOBILE = re.compile(r"(?:\+?86|0086)?(1\d{10})")


def cell_phone(value: Any) -> str:
    """A phone number: a mobile number with a country code, spaces or dashes becomes its 11 digits; anything else
    (a landline such as 0532-88888888) is kept as written, as free text of at most 20 characters."""
    text = cell_text(value)
    match = _MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", text))
    if match:
        return match.group(1)
    return cell_plain_text(text, max_length=20)


_TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def cell_date(value: Any) -> datetime.date | None:
    """Excel date cells, Excel serial numbers and text dates (2015-03-04, 2015/3/4, 2015.3.4, 2015年3月4日,
    20150304) become a date; blank is None."""
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers, 1900-01-01 .. 9999-12-31
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("is not a date"))
    text = cell_text(value).split(" ")[0]
    match = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise CellError(_("is not a date (write it as 2015-03-04)"))
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CellError(_("is not a valid date")) from None


def cell_choice(value: Any, labels: Mapping[str, str]) -> str:
    """A label from a closed list (Chinese label or code) to its code; blank stays blank."""
    text = cell_text(value)
    if not text:
        return ""
    if text in labels:
        return labels[text]
    if text in labels.values():
        return text
    raise CellError(_("must be one of: %(choices)s") % {"choices": "、".join(labels)})
