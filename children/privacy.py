"""Which personal numbers are sensitive and how each is shown to a given user: the one masking rule.

A child's ID number and the ID and phone numbers of the family members, guardians and entrusted caregivers are
shown in full only to users who may see full numbers (`children.access.sees_full_id_number`: the roles of
`FULL_ID_ROLES` and administrators); everybody else (supervisors, liaisons, nobody at all) sees them masked with
the functions of `children.idnumber`. Pages, exports, PDFs, the change history and the edit forms all ask this
module, so a new place that shows a number cannot decide differently:

- templates: `{% shown obj "field" %}` (children_tags; the user comes from the template's request);
- code that has the object: `display(user, obj, "field")`; a bare value of a known kind: `shown(value, kind, ...)`;
- model forms of child records: `children.forms.MaskedFieldsMixin`, over `sensitive_fields(model)`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from . import idnumber

ID_NUMBER = "id_number"
PHONE = "phone"

MASKS: dict[str, Callable[[str], str]] = {ID_NUMBER: idnumber.mask, PHONE: idnumber.mask_phone}

# model label (lower case) -> {field name: kind}. Historical models of django-simple-history count as their model.
SENSITIVE: dict[str, dict[str, str]] = {
    "children.child": {"id_number": ID_NUMBER},
    "children.familymember": {"id_number": ID_NUMBER, "phone": PHONE},  # parents, guardians, other relatives
    "children.entrustedcare": {"id_number": ID_NUMBER, "phone": PHONE},  # the entrusted caregiver
    "oversight.listrow": {"id_number": ID_NUMBER},  # a person of an outside list (proactive discovery)
}


def sees_full(user) -> bool:
    """Whether `user` sees sensitive numbers in full. No user, an anonymous or inactive one: masked."""
    from .access import sees_full_id_number

    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return sees_full_id_number(user)


def sensitive_fields(model: type[models.Model] | models.Model) -> dict[str, str]:
    """{field name: kind} of a model's (or a historical model's) sensitive fields."""
    model = getattr(model, "instance_type", model)  # simple-history's Historical<Model> -> <Model>
    return SENSITIVE.get(model._meta.label_lower, {})


def kind_of(model: type[models.Model] | models.Model, field_name: str) -> str | None:
    return sensitive_fields(model).get(field_name)


def mask(value: str, kind: str) -> str:
    return MASKS[kind](value or "")


def shown(value, kind: str | None, *, full: bool) -> str:
    """A value of `kind` (None: not sensitive) as shown to someone who does (`full`) or does not see full numbers."""
    value = "" if value is None else str(value)
    if kind is None or full or not value:
        return value
    return mask(value, kind)


def display(user, obj: models.Model, field_name: str) -> str:
    """`obj.field_name` as `user` may see it."""
    return shown(getattr(obj, field_name, ""), kind_of(obj, field_name), full=sees_full(user))


def is_masked_display(posted: str, stored: str, kind: str) -> bool:
    """Whether a value posted back from a form is the masked display of `stored` (left as it was shown)."""
    if not stored or posted is None:
        return False
    posted = idnumber.normalise(posted) if kind == ID_NUMBER else posted.strip()
    return posted == mask(stored, kind)
