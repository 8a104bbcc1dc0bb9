"""The children app's changes that go through approval (issue 18): closing an archive and changing a child's
categories (by hand, or by confirming what the recorded facts imply). Each is applied by the existing service in
children.services / children.identification (history kept by simple-history)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children import services as child_services
from children.categories import Category
from children.models import CategoryProposal, ChildCategory, CloseReason, ProposalAction

from .services import payload_date, register

CHILD_CLOSE = "child_close"
CATEGORY_ADD = "category_add"
CATEGORY_END = "category_end"
CATEGORY_PROPOSAL = "category_proposal"


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _close(*, user, child, payload: dict):
    return child_services.child_close(
        user=user,
        child=child,
        reason=payload.get("reason", ""),
        closed_on=payload_date(payload, "closed_on"),
        note=payload.get("note", ""),
    )


def _category_add(*, user, child, payload: dict):
    return child_services.category_add(
        user=user,
        child=child,
        category=payload.get("category", ""),
        started_on=payload_date(payload, "started_on"),
        note=payload.get("note", ""),
    )


def _category_end(*, user, child, payload: dict):
    item = ChildCategory.objects.filter(child=child, pk=payload.get("item")).first()
    if item is None:
        raise ValidationError(_("This category is no longer in the archive."))
    item.child = child
    return child_services.category_end(user=user, item=item, ended_on=payload_date(payload, "ended_on"))


def _category_proposal(*, user, child, payload: dict):
    from children import identification

    proposal = CategoryProposal.objects.filter(child=child, pk=payload.get("proposal")).first()
    if proposal is None:
        raise ValidationError(_("This proposal is no longer in the archive."))
    return identification.proposal_confirm(user=user, proposal=proposal, on=payload_date(payload, "on"))


register(
    CHILD_CLOSE,
    _close,
    label=gettext_lazy("Close the archive"),
    describe=lambda p: (
        _("%(reason)s, closed on %(date)s")
        % {"reason": _label(CloseReason, p.get("reason", "")), "date": p.get("closed_on", "")}
    ),
)
register(
    CATEGORY_ADD,
    _category_add,
    label=gettext_lazy("Add a category"),
    describe=lambda p: (
        _("%(category)s from %(date)s")
        % {"category": _label(Category, p.get("category", "")), "date": p.get("started_on", "")}
    ),
    subject=lambda p: f"category-add:{p.get('category', '')}",
)
register(
    CATEGORY_END,
    _category_end,
    label=gettext_lazy("End a category"),
    describe=lambda p: (
        _("%(category)s until %(date)s")
        % {"category": _label(Category, p.get("category", "")), "date": p.get("ended_on", "")}
    ),
    subject=lambda p: f"category:{p.get('item', '')}",
)
register(
    CATEGORY_PROPOSAL,
    _category_proposal,
    label=gettext_lazy("Change a category as the recorded facts imply"),
    describe=lambda p: (
        _("%(action)s %(category)s on %(date)s")
        % {
            "action": _label(ProposalAction, p.get("action", "")),
            "category": _label(Category, p.get("category", "")),
            "date": p.get("on", ""),
        }
    ),
    subject=lambda p: f"proposal:{p.get('proposal', '')}",
)
