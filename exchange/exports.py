"""Exporting the archives a user reads through a column-mapping profile (e.g. the template of another system such
as 全国儿童福利信息系统), masked and logged like every export (children.exports, children.privacy): the ID number is
masked for those who do not see it in full, every child exported gets an access-log row, the length is capped at
EXPORT_MAX_ROWS, and text that a spreadsheet would run as a formula is neutralised."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from children import access, privacy
from children.exports import FORMATS, attachment, log_export, neutral, xlsx_bytes
from children.models import ArchiveStatus, Child

from .models import MappingProfile

FIELDS = ("name", "id_number", "birth_date")  # what an archive gives a list's columns (the status is the list's)


def headers(profile: MappingProfile) -> list[tuple[str, str]]:
    """(field, header) for each archive field the profile has a column for: its first header."""
    return [(f, profile.columns[f][0]) for f in FIELDS if profile.columns.get(f)]


def children_for_export(user: User) -> QuerySet[Child]:
    return access.visible_children(user).filter(status=ArchiveStatus.OPEN).order_by("village_id", "pk")


def export(user: User, profile: MappingProfile, fmt: str = "xlsx"):
    """The open archives the user reads, in the profile's columns: (content, filename, content type)."""
    children = children_for_export(user)
    count = children.count()
    if count > settings.EXPORT_MAX_ROWS:
        raise ValidationError(
            _("The list has %(count)s rows; exports are limited to %(limit)s. Narrow the filters first.")
            % {"count": count, "limit": settings.EXPORT_MAX_ROWS}
        )
    columns = headers(profile)
    full = privacy.sees_full(user)
    kinds = {f: privacy.kind_of(Child, f) for f, _h in columns}
    rows = []
    for child in children.only(*FIELDS).iterator(chunk_size=2000):
        rows.append([neutral(privacy.shown(getattr(child, f), kinds[f], full=full)) for f, _h in columns])
    log_export(user, children)
    names = [h for _f, h in columns]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{profile.name}-{stamp}.{fmt}"
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows(rows)
        return "\ufeff" + out.getvalue(), filename, FORMATS["csv"]
    id_header = dict(columns).get("id_number")
    content = xlsx_bytes(names, rows, text_columns=[id_header] if id_header else (), title=profile.name)
    return content, filename, FORMATS["xlsx"]


def response(user: User, profile: MappingProfile, fmt: str):
    content, filename, content_type = export(user, profile, fmt)
    return attachment(content, filename=filename, content_type=content_type)
