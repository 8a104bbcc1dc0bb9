"""Column-mapping profiles (data: exchange.models.MappingProfile) and reading a submission's rows through one.

A profile names, for each field of a row, the column headers (an upload) or keys (a JSON row) that hold it, the
code lists that translate a department's values to the canonical codes, and extra date formats. The cells are
normalised as every other list is (children.sheets: full-width digits, Excel dates, formula-like text refused;
children.idnumber: the ID number checked and its birth date used when the date is missing). Any bad row refuses the
whole submission, with a Chinese message per row (at most 20 shown)."""

import datetime
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from children import idnumber, sheets

from . import rules
from .models import MappingProfile, RowStatus

FIELDS = ("name", "id_number", "birth_date", "status", "relation", "parent_name")
REQUIRED_COLUMNS = ("name", "status")
STATUSES = frozenset(RowStatus.values)  # read once: TextChoices.values builds a new list on every call
SHIPPED_NAME = "本系统导入模板"
MAX_ERRORS_SHOWN = 20

# The shipped profile: the project's own import template (children.roster_format: 姓名, 身份证号, 出生日期 and their
# aliases) with the columns a department's list adds (its status and, for parent rows, which parent).
SHIPPED = {
    "name": SHIPPED_NAME,
    "note": "姓名、身份证号、出生日期同儿童信息导入模板；另加“状态”列（及父母一方的“与儿童关系”“父母姓名”）",
    "columns": {
        "name": ["姓名", "儿童姓名", "学生姓名"],
        "id_number": ["身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"],
        "birth_date": ["出生日期", "出生年月日"],
        "status": ["状态", "变动情况", "就学状况", "就学情况", "人员状态"],
        "relation": ["与儿童关系", "监护人关系", "亲属关系"],
        "parent_name": ["父母姓名", "监护人姓名"],
    },
    "codes": {
        "status": {
            "在校": "enrolled",
            "在读": "enrolled",
            "辍学": "dropped_out",
            "失学辍学": "dropped_out",
            "父母被羁押": "parent_detained",
            "被羁押": "parent_detained",
            "被救助": "parent_detained",
            "羁押": "parent_detained",
            "返家": "parent_returned",
            "已返家": "parent_returned",
            "释放返家": "parent_returned",
            "死亡": "died",
            "重病": "seriously_ill",
            "重大疾病": "seriously_ill",
            "残疾": "disabled",
            "持证残疾": "disabled",
            "低保": "on_roll",
            "特困供养": "on_roll",
            "在册": "on_roll",
        },
        "relation": {"父亲": "father", "父": "father", "母亲": "mother", "母": "mother"},
    },
    "date_formats": ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"],
}


def shipped_profile() -> MappingProfile:
    profile = MappingProfile.objects.filter(name=SHIPPED_NAME).first()
    if profile is None:  # a database flushed by a transactional test: put the shipped data back
        profile = MappingProfile.objects.create(**SHIPPED)
    return profile


def _date(value: Any, *, formats: Iterable[str]) -> datetime.date | None:
    """The profile's formats first, then the usual ones; a blank cell (most rows of a list with ID numbers) is
    not tried against the formats (a failed strptime is slow: 100,000 rows × four formats took seconds)."""
    if isinstance(value, str):
        text = sheets.cell_text(value)
        for fmt in formats if text else ():
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return sheets.cell_date(value)


def _code(value: Any, *, codes: Mapping[str, str], allowed: Iterable[str]) -> str:
    text = sheets.cell_text(value)
    if not text:
        return ""
    code = codes.get(text, text)
    if code not in allowed:
        raise sheets.CellError(
            gettext_now("must be one of: %(choices)s") % {"choices": "、".join([*codes, *sorted(allowed)])}
        )
    return code


def _again(check: Callable[[Any], Any], value: Any) -> str:
    """What a cell's check says of the value, in the active language: children.sheets and children.idnumber word
    their messages as they raise them, so the check is run again where the message is shown (a page in the
    user's language; the API, in both: api.errors)."""
    try:
        check(value)
    except sheets.CellError as exc:
        return str(exc)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


_said_again = lazy(_again, str)

# A refused cell's message: built once (lazy, rendered where shown), the cell check's own words put in as `error`.
ROW_ERRORS = {
    "name": _("Row %(row)d: the name %(error)s."),
    "id_number": _("Row %(row)d: the ID number %(error)s."),
    "id_check": _("Row %(row)d: %(error)s"),
    "birth_date": _("Row %(row)d: the date of birth %(error)s."),
    "status": _("Row %(row)d: the status %(error)s."),
    "parent": _("Row %(row)d: the parent %(error)s."),
}


class Reader:
    """Turns raw records ({field: value}) into clean rows, collecting the errors: each a ValidationError of a lazy
    message and its params, so that it reads in whichever language it is shown in."""

    def __init__(self, profile: MappingProfile | None):
        self.codes = profile.codes if profile else {}
        self.formats = profile.date_formats if profile else []
        self.status_codes = self.codes.get("status", {})
        self.relation_codes = self.codes.get("relation", {})
        self.errors: list[ValidationError] = []  # the first MAX_ERRORS_SHOWN
        self.failed = 0

    def fail(self, message, **params: Any) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(ValidationError(message, params=params))

    def _refused(self, what: str, number: int, check: Callable[[Any], Any], value: Any) -> None:
        """A cell's check refused the value: the row's message, the check's words put in where it is shown."""
        self.fail(ROW_ERRORS[what], row=number, error=_said_again(check, value))

    def row(self, number: int, record: Mapping[str, Any]) -> dict | None:
        # The checks are called directly (a row's every cell, for every row: no wrapper on the way that succeeds).
        value = record.get("name")
        try:
            name = sheets.cell_plain_text(value, max_length=50)
        except sheets.CellError:
            return self._refused("name", number, partial(sheets.cell_plain_text, max_length=50), value)
        value = record.get("id_number")
        try:
            number_text = sheets.cell_id_number(value)
        except sheets.CellError:
            return self._refused("id_number", number, sheets.cell_id_number, value)
        value = record.get("birth_date")
        try:
            birth = _date(value, formats=self.formats)
        except sheets.CellError:
            return self._refused("birth_date", number, partial(_date, formats=self.formats), value)
        value = record.get("status")
        try:
            status = _code(value, codes=self.status_codes, allowed=STATUSES)
        except sheets.CellError:
            return self._refused("status", number, partial(_code, codes=self.status_codes, allowed=STATUSES), value)
        value = record.get("relation")
        try:
            relation = _code(value, codes=self.relation_codes, allowed=rules.PARENTS)
        except sheets.CellError:
            check = partial(_code, codes=self.relation_codes, allowed=rules.PARENTS)
            return self._refused("parent", number, check, value)
        value = record.get("parent_name")
        try:
            parent_name = sheets.cell_plain_text(value, max_length=50)
        except sheets.CellError:
            return self._refused("parent", number, partial(sheets.cell_plain_text, max_length=50), value)
        if not name:
            return self.fail(_("Row %(row)d: the name is missing."), row=number)
        if not status:
            return self.fail(_("Row %(row)d: the status is missing."), row=number)
        if status in rules.PARENT_STATUSES and not relation:
            return self.fail(_("Row %(row)d: say which parent (father or mother)."), row=number)
        if status not in rules.PARENT_STATUSES:
            relation, parent_name = "", ""
        if number_text:
            try:
                info = idnumber.parse(number_text)
            except ValidationError:
                return self._refused("id_check", number, idnumber.parse, number_text)
            number_text, birth = info.number, birth or info.birth_date
        elif birth is None:
            return self.fail(_("Row %(row)d: give the ID number or at least the date of birth."), row=number)
        return {
            "row_number": number,
            "name": name,
            "id_number": number_text,
            "birth_date": birth,
            "status": status,
            "relation": relation,
            "parent_name": parent_name,
            "key": rules.person_key(number_text, name, birth, relation),
        }

    def raise_errors(self) -> None:
        if self.failed:
            shown = list(self.errors)
            if self.failed > MAX_ERRORS_SHOWN:
                more = self.failed - MAX_ERRORS_SHOWN
                shown.append(ValidationError(_("… and %(n)d more rows with errors."), params={"n": more}))
            raise ValidationError(shown)


def json_records(rows: Iterable[Mapping[str, Any]], profile: MappingProfile | None) -> Iterable[tuple[int, dict]]:
    """API rows: keys are the field names, or any header of the profile's columns."""
    aliases = {}
    if profile:
        for field, headers in profile.columns.items():
            for h in headers:
                aliases[sheets.normalise_header(h)] = field
    for number, row in enumerate(rows, start=1):
        record = {}
        for k, v in row.items():
            field = k if k in FIELDS else aliases.get(sheets.normalise_header(k))
            if field:
                record[field] = v
        yield number, record


def sheet_records(upload, profile: MappingProfile) -> Iterable[tuple[int, dict]]:
    """An uploaded .xlsx/.xls/.csv read through the profile's columns (children.sheets finds the header row)."""
    columns = {field: list(headers) for field, headers in profile.columns.items() if field in FIELDS}
    sheet = sheets.read_table(upload, columns=columns, required=[c for c in REQUIRED_COLUMNS if c in columns])
    return sheet.records()
