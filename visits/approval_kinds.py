"""Ending the categories a screening found the child no longer eligible for is a change of categories: it goes
through the approvals app like a director's own category change (issue 18). This module registers the approvable
kind (loaded in apps.ready); the change itself is `services.proposal_apply`, the director's confirmation
`services.proposal_confirm`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import services as approvals
from children.categories import Category

from . import services
from .services import SCREENING_CATEGORY_END


def _apply(*, user, child, payload: dict):
    return services.proposal_apply(
        user=user,
        child=child,
        proposal_pk=payload.get("proposal"),
        categories=payload.get("categories") or [],
        ended_on=approvals.payload_date(payload, "ended_on"),
    )


def _describe(payload: dict) -> str:
    labels = dict(Category.choices)
    names = "、".join(str(labels.get(c, c)) for c in payload.get("categories") or [])
    return _("%(categories)s until %(date)s (a screening found the child no longer eligible)") % {
        "categories": names,
        "date": payload.get("ended_on", ""),
    }


approvals.register(
    SCREENING_CATEGORY_END,
    _apply,
    label=gettext_lazy("End categories after a screening"),
    describe=_describe,
    subject=lambda p: services.proposal_subject(p.get("proposal", "")),
)
