"""One approval request for the project-wide security walk (tests/security): the child's director proposes adding
a category to the child of village v1 (approving it changes nothing the other forms rely on)."""

import datetime

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "approvals:detail": {"pk": "approval"},
    "approvals:approve": {"pk": "approval"},
    "approvals:return": {"pk": "approval"},
    "approvals:withdraw": {"pk": "approval"},
}


def make_objects(users, tree, child) -> dict:
    from approvals import kinds, services

    approval = services.request_or_apply(
        kind=kinds.CATEGORY_ADD,
        child=child,
        user=users.director,
        payload={"category": "dropout", "started_on": datetime.date(2026, 2, 1), "note": "已连续两周未到校"},
        reason="已连续两周未到校",
    )
    assert approval is not None, "the default setting asks for approval"
    return {"approval": approval}
