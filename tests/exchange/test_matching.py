"""Matching and diffing submissions (issue 16): each kind of change from two consecutive submissions of a source,
candidates, the refusal of a bad list. Figures counted by hand from the rows typed in here."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exchange.models import ChangeProposal, ChangeStatus, Submission, SubmissionRow
from oversight.models import ListRow, MatchKind
from tests.exchange.conftest import (
    ID_DETAINED,
    ID_DIED,
    ID_DROPOUT,
    ID_PUPIL,
    ID_RETURNED,
    ID_UNREGISTERED,
    receive,
)

pytestmark = pytest.mark.django_db


def _proposals(child):
    return sorted(ChangeProposal.objects.filter(child=child).values_list("kind", "relation", "status"))


def test_left_school_between_two_lists_is_proposed_once(users, lists):
    first = receive(
        users.liaison,
        lists.school,
        [
            {"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"},
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "enrolled"},
        ],
    )
    assert (first.rows_n, first.matched_n, first.proposals_n, first.previous) == (2, 2, 0, None)
    second = receive(
        users.liaison,
        lists.school,
        [
            {"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"},
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "enrolled"},
        ],
    )
    assert second.previous == first
    assert (second.changed_n, second.gone_n, second.proposals_n) == (1, 0, 1)
    assert _proposals(lists.dropout) == [("dropout", "", "pending")]
    assert _proposals(lists.pupil) == []
    # The next month's list says the same: nothing new, even once the director has dismissed it.
    ChangeProposal.objects.update(status=ChangeStatus.DISMISSED, reason="已核实在校")
    third = receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    assert (third.proposals_n, third.changed_n, third.gone_n) == (0, 0, 1)
    assert ChangeProposal.objects.count() == 1


def test_police_list_detained_returned_and_died(users, lists):
    first = receive(
        lists.police_liaison,
        lists.police,
        [{"name": "王小返", "id_number": ID_RETURNED, "status": "parent_detained", "relation": "father"}],
    )
    assert first.proposals_n == 1
    second = receive(
        lists.police_liaison,
        lists.police,
        [
            {"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "mother"},
            {"name": "王小返", "id_number": ID_RETURNED, "status": "parent_returned", "relation": "father"},
            {"name": "赵小故", "id_number": ID_DIED, "status": "died"},
        ],
    )
    assert (second.rows_n, second.matched_n, second.changed_n, second.gone_n, second.proposals_n) == (3, 3, 3, 0, 3)
    assert _proposals(lists.detained) == [("parent_detained", "mother", "pending")]
    assert _proposals(lists.returned) == [
        ("parent_detained", "father", "pending"),
        ("parent_returned", "father", "pending"),
    ]
    assert _proposals(lists.died) == [("died", "", "pending")]


def test_parent_returned_is_not_proposed_for_a_child_not_left_behind(users, lists):
    receive(
        lists.police_liaison,
        lists.police,
        [{"name": "张小押", "id_number": ID_DETAINED, "status": "parent_returned", "relation": "father"}],
    )
    assert _proposals(lists.detained) == []


def test_match_by_name_and_birth_when_the_number_is_missing(users, lists):
    sub = receive(
        users.liaison,
        lists.school,
        [{"name": "李小辍", "birth_date": "2015-06-01", "status": "dropped_out"}],
    )
    row = SubmissionRow.objects.get(submission=sub)
    assert (row.child_id, row.matched_by) == (lists.dropout.pk, "name_birth")
    assert _proposals(lists.dropout) == [("dropout", "", "pending")]


def test_a_closed_archive_gets_no_proposal(users, lists):
    lists.died.status = "closed"
    lists.died.save()
    sub = receive(lists.police_liaison, lists.police, [{"name": "赵小故", "id_number": ID_DIED, "status": "died"}])
    assert (sub.matched_n, sub.proposals_n) == (1, 0)


def test_unregistered_children_who_may_need_help_become_candidates(tree, users, lists):
    sub = receive(
        users.liaison,
        lists.school,
        [
            {"name": "周小新", "id_number": ID_UNREGISTERED, "status": "dropped_out"},
            {"name": "吴小在", "id_number": "370283201602290110", "status": "enrolled"},
        ],
    )
    assert (sub.matched_n, sub.candidates_n, sub.proposals_n) == (0, 1, 0)
    row = ListRow.objects.get(outside_list=sub.outside_list)
    assert (row.id_number, row.match, row.outcome) == (ID_UNREGISTERED, MatchKind.CANDIDATE, "open")
    assert sub.outside_list.area_id == tree.county.code


def test_a_bad_row_refuses_the_whole_list(users, lists):
    rows = [
        {"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"},
        {"name": "错号", "id_number": "370283201506010116", "status": "dropped_out"},  # wrong check digit
        {"name": "无状态", "id_number": ID_PUPIL, "status": "graduated"},
    ]
    with pytest.raises(ValidationError) as exc:
        receive(users.liaison, lists.school, rows)
    assert len(exc.value.messages) == 2
    assert exc.value.messages[0].startswith("第 2 行")
    assert exc.value.messages[1].startswith("第 3 行")
    assert not Submission.objects.exists() and not ChangeProposal.objects.exists()


def test_the_same_person_twice_is_refused(users, lists):
    rows = [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"}] * 2
    with pytest.raises(ValidationError):
        receive(users.liaison, lists.school, rows)


def test_a_parent_row_must_say_which_parent(users, lists):
    with pytest.raises(ValidationError):
        receive(
            lists.police_liaison,
            lists.police,
            [{"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained"}],
        )


def test_another_departments_liaison_may_not_submit(users, lists):
    with pytest.raises(PermissionDenied):
        receive(lists.police_liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"}])
    with pytest.raises(PermissionDenied):
        receive(users.director, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"}])


def test_the_shipped_profile_reads_chinese_codes(users, lists):
    from exchange.profiles import shipped_profile

    profile = shipped_profile()
    sub = receive(
        users.liaison,
        lists.school,
        [{"姓名": "李小辍", "身份证号码": ID_DROPOUT, "就学状况": "辍学"}],
        profile=profile,
    )
    assert SubmissionRow.objects.get(submission=sub).status == "dropped_out"
    assert sub.proposals_n == 1


def test_names_with_backslashes_and_tabs_are_stored_as_given(users, lists):
    """The PostgreSQL path COPYs the rows: its escapes must not change a name (nor the name-and-birth key)."""
    sub = receive(
        users.liaison,
        lists.school,
        [
            {"name": "周\\小新", "id_number": ID_UNREGISTERED, "status": "enrolled"},
            {"name": "吴\t小\\N", "birth_date": "2016-02-29", "status": "enrolled"},
        ],
    )
    rows = list(SubmissionRow.objects.filter(submission=sub).order_by("row_number").values_list("name", "key"))
    assert rows == [("周\\小新", ID_UNREGISTERED), ("吴\t小\\N", "吴\t小\\N|2016-02-29")]


def test_a_change_proposed_meanwhile_by_another_list_is_kept_not_doubled(users, lists, monkeypatch):
    """The race: another source's list proposes the same change after this list's check for pending proposals
    (simulated: the first check misses it). The INSERT conflicts; the list is still received, the other proposal
    stays, and the rest are written."""
    from exchange import matching

    first = receive(users.liaison, lists.school, [{"name": "孙小学", "id_number": ID_PUPIL, "status": "enrolled"}])
    ChangeProposal.objects.create(child=lists.dropout, kind="dropout", row=first.rows.get())
    real, checks = matching._pending_keys, []

    def stale_first(child_ids):
        checks.append(sorted(child_ids))
        return set() if len(checks) == 1 else real(child_ids)

    monkeypatch.setattr(matching, "_pending_keys", stale_first)
    sub = receive(
        users.liaison,
        lists.school,
        [
            {"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"},
            {"name": "孙小学", "id_number": ID_PUPIL, "status": "dropped_out"},
        ],
    )
    assert len(checks) == 2  # the stale check, then the one after the conflict
    assert sub.proposals_n == 1
    assert ChangeProposal.objects.filter(child=lists.dropout).count() == 1
    assert ChangeProposal.objects.filter(child=lists.pupil, kind="dropout").count() == 1
