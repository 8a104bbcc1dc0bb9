"""Closing a help plan goes through the approvals app (issue 18): the region's setting says whether the user closes
at once or proposes, and an approver's decision applies it. The change itself is `services.plan_close`, the one
place a plan is closed; this module registers it as the approvable kind "plan_close" (loaded in apps.ready)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from approvals import services as approvals
from approvals.models import Approval
from children.models import Child

from .models import HelpPlan

PLAN_CLOSE = "plan_close"


def _apply(*, user: User, child: Child, payload: dict) -> HelpPlan:
    from . import services

    plan = HelpPlan.objects.filter(child=child, pk=payload.get("plan")).first()
    if plan is None:
        raise ValidationError(_("This plan is no longer in the archive."))
    plan.child = child
    return services.plan_close(
        user=user, plan=plan, closed_on=approvals.payload_date(payload, "closed_on"), reason=payload.get("reason", "")
    )


approvals.register(
    PLAN_CLOSE,
    _apply,
    label=gettext_lazy("Close a help plan"),
    describe=lambda p: (
        _("closed on %(date)s: %(reason)s") % {"date": p.get("closed_on", ""), "reason": p.get("reason", "")}
    ),
    subject=lambda p: f"plan:{p.get('plan', '')}",
)


def close_or_propose(*, user: User, plan: HelpPlan, closed_on: datetime.date, reason: str) -> Approval | None:
    """Close the plan now (None) or, where the region asks for approval, record the request (returned): the plan
    stays open until an approver agrees."""
    return approvals.request_or_apply(
        kind=PLAN_CLOSE,
        child=plan.child,
        user=user,
        payload={"plan": plan.pk, "closed_on": closed_on, "reason": reason},
        reason=reason,
    )
