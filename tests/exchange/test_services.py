"""Deciding a change from a list: confirming changes the archive through the children services (or asks for
approval where the region's setting wants one); dismissing needs a reason; nothing changes without a person."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.models import Approval
from children.models import ChildCategory, FamilyMember
from exchange import services
from exchange.models import ChangeProposal, ChangeStatus
from tests.exchange.conftest import ID_DETAINED, ID_DIED, ID_DROPOUT, ID_RETURNED, receive

pytestmark = pytest.mark.django_db


def _current(child) -> set[str]:
    return set(ChildCategory.objects.filter(child=child, ended_on__isnull=True).values_list("category", flat=True))


def _proposal(child, kind):
    return ChangeProposal.objects.get(child=child, kind=kind)


def test_nothing_changes_before_a_person_decides(users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    lists.dropout.refresh_from_db()
    assert _current(lists.dropout) == set() and lists.dropout.enrolment == ""


def test_supervisor_confirms_dropout(users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    proposal = services.change_confirm(user=users.supervisor, proposal=_proposal(lists.dropout, "dropout"))
    lists.dropout.refresh_from_db()
    assert proposal.status == ChangeStatus.CONFIRMED and proposal.decided_by == users.supervisor
    assert _current(lists.dropout) == {"dropout"}
    assert lists.dropout.enrolment == "dropped_out"


def test_a_directors_confirmation_waits_for_the_supervisors_approval(users, lists):
    """With no regional setting, a director's category change and closing wait for the township supervisor."""
    receive(lists.police_liaison, lists.police, [{"name": "赵小故", "id_number": ID_DIED, "status": "died"}])
    proposal = services.change_confirm(user=users.director, proposal=_proposal(lists.died, "died"))
    lists.died.refresh_from_db()
    assert proposal.status == ChangeStatus.CONFIRMED
    assert lists.died.status == "open"
    approval = Approval.objects.get(child=lists.died)
    assert (approval.kind, approval.payload["reason"]) == ("child_close", "deceased")


def test_confirmed_death_closes_the_archive(users, lists):
    receive(lists.police_liaison, lists.police, [{"name": "赵小故", "id_number": ID_DIED, "status": "died"}])
    services.change_confirm(
        user=users.supervisor, proposal=_proposal(lists.died, "died"), on=datetime.date(2026, 11, 2)
    )
    lists.died.refresh_from_db()
    assert (lists.died.status, lists.died.close_reason, lists.died.closed_on) == (
        "closed",
        "deceased",
        datetime.date(2026, 11, 2),
    )


def test_confirmed_detention_records_the_parent_poor_guardianship_and_a_visit_date(users, lists):
    receive(
        lists.police_liaison,
        lists.police,
        [
            {
                "name": "张小押",
                "id_number": ID_DETAINED,
                "status": "parent_detained",
                "relation": "mother",
                "parent_name": "刘芳",
            }
        ],
    )
    proposal = services.change_confirm(
        user=users.supervisor, proposal=_proposal(lists.detained, "parent_detained"), on=datetime.date(2026, 11, 2)
    )
    mother = FamilyMember.objects.get(child=lists.detained, relation="mother")
    assert (mother.name, mother.situation) == ("刘芳", "imprisoned")
    assert "poor_guardianship" in _current(lists.detained)
    assert proposal.visit_due_on == datetime.date(2026, 11, 9)  # 7 days: exchange.rules.VISIT_WITHIN_DAYS


def test_confirmed_return_ends_left_behind(users, lists):
    receive(
        lists.police_liaison,
        lists.police,
        [{"name": "王小返", "id_number": ID_RETURNED, "status": "parent_returned", "relation": "father"}],
    )
    assert _current(lists.returned) == {"left_behind_rural"}
    services.change_confirm(user=users.supervisor, proposal=_proposal(lists.returned, "parent_returned"))
    father = FamilyMember.objects.get(child=lists.returned, relation="father")
    assert (father.situation, father.away_since) == ("normal", None)
    assert _current(lists.returned) == set()


def test_dismiss_needs_a_reason_and_is_final(users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    proposal = _proposal(lists.dropout, "dropout")
    with pytest.raises(ValidationError):
        services.change_dismiss(user=users.director, proposal=proposal, reason="  ")
    services.change_dismiss(user=users.director, proposal=proposal, reason="已核实：转学至外县")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == ("dismissed", "已核实：转学至外县")
    with pytest.raises(ValidationError):
        services.change_confirm(user=users.director, proposal=proposal)
    assert _current(lists.dropout) == set()


def test_a_director_of_another_village_cannot_decide(users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    with pytest.raises(PermissionDenied):
        services.change_confirm(user=users.other_director, proposal=_proposal(lists.dropout, "dropout"))
