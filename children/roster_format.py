"""The roster file's format: its columns (Chinese headers, aliases, required ones), the labels of coded values,
and how a category list is written. The template, the export of the children list and the import share it, so an
exported file imports back with no changes (children.imports runs the import)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import translation

from .categories import Category, categories_in
from .models import (
    ArchiveStatus,
    Disability,
    DisabilityGrade,
    Enrolment,
    Health,
    Relation,
    Sex,
)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""  # how to fill it in (the template's second sheet and the README)


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", True, (), "必填，不超过50字"),
    Column("身份证号", "id_number", True, ("身份证号码", "公民身份号码", "身份证"), "必填，18位；列须设置为文本格式"),
    Column("性别", "sex", False, (), "男/女；可空，空则按身份证号"),
    Column("出生日期", "birth_date", False, ("出生年月日",), "如 2015-03-04；可空，空则按身份证号"),
    Column("民族", "ethnicity", False, (), "如 汉族"),
    Column(
        "村（社区）代码",
        "village",
        True,
        ("村代码", "村(居)代码", "村居代码", "村（居）委会代码", "行政区划代码"),
        "必填，12位统计用区划代码，须在本人辖区内",
    ),
    Column("住址", "address", False, ("家庭住址", "现住址"), ""),
    Column("儿童类别", "categories", True, ("类别", "人员类别"), "必填，多个用顿号“、”分隔"),
    Column("就学状况", "enrolment", False, ("就学情况",), ""),
    Column("学校", "school", False, ("就读学校",), ""),
    Column("年级班级", "grade", False, ("年级", "班级"), ""),
    Column("健康状况", "health", False, (), ""),
    Column("残疾类别", "disability", False, ("残疾类型",), ""),
    Column("残疾等级", "disability_grade", False, (), "1～4"),
    Column("监护人姓名", "guardian_name", False, ("监护人",), ""),
    Column("监护人关系", "guardian_relation", False, ("与儿童关系",), ""),
    Column("监护人电话", "guardian_phone", False, ("联系电话", "监护人联系电话"), ""),
    Column("备注", "notes", False, (), ""),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}
REQUIRED = [c.header for c in COLUMNS if c.required]
REQUIRED_MARK = " *"  # after a required column's header in the template (as in the README's table); read back as is
TEXT_COLUMNS = ("身份证号", "监护人电话")  # text-formatted in the template and the .xlsx exports
TEMPLATE_TEXT_ROWS = 2000  # rows of the template whose ID and phone cells are text-formatted (the columns are too)
ALIASES = {c.header: c.aliases for c in COLUMNS}
STATUS_HEADER = "档案状态"  # a column of the export (children.resources.INFO_COLUMNS): closed archives are skipped
CATEGORY_SEPARATORS = ("，", ",", "；", ";", "/", "／", " ")
# What rosters write in an optional cell that has nothing to say: read as blank (blank leaves the archive alone).
PLACEHOLDERS = frozenset({"-", "--", "---", "－", "—", "——", "–", "/", "／", "\\", "无", "暂无", "N/A", "n/a"})
# Fields of the child row an import may change (village is checked, not changed).
CHILD_FIELDS = (
    "name",
    "ethnicity",
    "address",
    "enrolment",
    "school",
    "grade",
    "health",
    "disability",
    "disability_grade",
    "notes",
)
GUARDIAN_FIELDS = ("guardian_name", "guardian_relation", "guardian_phone")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Chinese label -> code for every closed list, whatever language the importing user reads."""
    with translation.override("zh-hans"):

        def table(choices) -> dict[str, str]:
            return {str(label): code for code, label in choices if code != ""}

        return {
            "sex": {"男": Sex.MALE, "女": Sex.FEMALE},
            "categories": table(Category.choices),
            "enrolment": table(Enrolment.choices),
            "health": table(Health.choices),
            "disability": table(Disability.choices) | {"无": ""},
            "disability_grade": {str(code): str(code) for code, _l in DisabilityGrade.choices}
            | {str(label): str(code) for code, label in DisabilityGrade.choices},
            "guardian_relation": table(Relation.choices),
        }


@lru_cache(maxsize=1)
def _codes_to_labels() -> dict[str, dict[str, str]]:
    return {kind: {code: label for label, code in table.items()} for kind, table in labels().items()}


def label_of(kind: str, code: Any) -> str:
    """The Chinese label the file uses for a stored code (export); blank for blank."""
    if code in ("", None):
        return ""
    return _codes_to_labels()[kind].get(str(code), str(code))


@lru_cache(maxsize=1)
def label_of_status_closed() -> str:
    with translation.override("zh-hans"):
        return str(ArchiveStatus.CLOSED.label)


def categories_label(flags: int) -> str:
    return "、".join(label_of("categories", code) for code in categories_in(flags))


