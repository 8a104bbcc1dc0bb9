"""Who must ask for approval and who decides (pure: no ORM, no clock).

A region's setting is a `Policy`; the nearest one to a child's village applies (the longest code prefix; at the
same prefix, a setting naming the kind beats one for every kind). With no setting at all: approval required, by
the township's child supervisor (the issue's default: "the director proposes, the supervisor approves").
"""

from dataclasses import dataclass

from accounts.models import Role

TOWNSHIP = "township"
COUNTY = "county"

# Who may approve at each level: the township's supervisor, and civil-affairs staff above it; at county level
# only civil affairs. (Administrators always may.)
APPROVER_ROLES = {
    TOWNSHIP: frozenset({Role.SUPERVISOR.value, Role.CIVIL_AFFAIRS.value}),
    COUNTY: frozenset({Role.CIVIL_AFFAIRS.value}),
}


@dataclass(frozen=True)
class Policy:
    required: bool = True
    approver_level: str = TOWNSHIP
    approvers_act_directly: bool = True


DEFAULT = Policy()


def policy_for(village_code: str, kind: str, table: list[tuple[str, str, Policy]]) -> Policy:
    """The policy of the nearest setting: `table` holds (prefix, kind or "", policy) rows in any order."""
    best: tuple[int, int] | None = None
    chosen = DEFAULT
    for prefix, row_kind, policy in table:
        if row_kind not in ("", kind) or not village_code.startswith(prefix):
            continue
        rank = (len(prefix), 1 if row_kind else 0)
        if best is None or rank > best:
            best, chosen = rank, policy
    return chosen


def may_approve(role: str, is_admin: bool, approver_level: str) -> bool:
    """The role may decide requests of this level (the area check is the caller's)."""
    return is_admin or role in APPROVER_ROLES.get(approver_level, frozenset())


def acts_directly(role: str, is_admin: bool, policy: Policy) -> bool:
    """The user's change is applied at once (True) or waits for an approver (False)."""
    if not policy.required:
        return True
    return policy.approvers_act_directly and may_approve(role, is_admin, policy.approver_level)
