import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from children import identification
from children.models import CareRecord, CategoryProposal
from psychology import services
from psychology.models import CounsellingSession, Screening
from tests.factories import ChildFactory, DepartmentFactory

TODAY = timezone.localdate()


def screening(level="positive", **kw):
    data = {
        "screened_on": TODAY,
        "screener": "镇中学心理教师",
        "instrument": "SDQ",
        "level": level,
        "follow_up": "复查",
    }
    return Screening(**{**data, **kw})


def test_a_positive_screen_proposes_the_psychological_category_once(users, child):
    first = services.screening_record(user=users.director, child=child, screening=screening())
    proposal = first.proposal
    assert (proposal.category, proposal.action, proposal.status) == ("psych_abnormal", "add", "pending")
    second = services.screening_record(user=users.director, child=child, screening=screening())
    assert second.proposal is None  # one pending proposal is enough
    normal = services.screening_record(user=users.director, child=child, screening=screening("normal", follow_up=""))
    assert normal.proposal is None
    assert CategoryProposal.objects.filter(child=child, category="psych_abnormal").count() == 1


def test_the_identification_sweep_leaves_the_screens_proposal_pending(users, child):
    proposal = services.screening_record(user=users.director, child=child, screening=screening()).proposal
    identification.evaluate([child.pk])
    identification.sweep(TODAY, full=True)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_confirming_the_proposal_adds_the_category(users, child):
    proposal = services.screening_record(user=users.director, child=child, screening=screening()).proposal
    identification.proposal_confirm(user=users.county_staff, proposal=proposal)
    child.refresh_from_db()
    assert child.categories.filter(category="psych_abnormal", ended_on__isnull=True).exists()
    # Holding the category, a new positive screen proposes nothing.
    assert services.screening_record(user=users.director, child=child, screening=screening()).proposal is None


def test_bad_input_changes_nothing(users, child):
    with pytest.raises(ValidationError) as e:
        services.screening_record(user=users.director, child=child, screening=screening(follow_up=" "))
    assert "follow_up" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.screening_record(
            user=users.director, child=child, screening=screening(screened_on=TODAY + datetime.timedelta(days=1))
        )
    with pytest.raises(PermissionDenied):
        services.screening_record(user=users.other_director, child=child, screening=screening())
    assert not Screening.objects.exists() and not CategoryProposal.objects.exists()


def test_the_referral_goes_through_the_referral_service_and_opens_the_record_to_its_department(
    client, users, tree, child
):
    s = services.screening_record(user=users.director, child=child, screening=screening())
    health = DepartmentFactory(area=tree.county, name="平度市卫健局", kind="health")
    from tests.factories import UserFactory

    liaison = UserFactory(username="health_liaison", role="liaison", department=health)
    record_url = reverse("psychology:record", kwargs={"child_pk": child.pk})
    client.force_login(liaison)
    assert client.get(record_url).status_code == 404
    client.force_login(users.director)
    refer_url = reverse("psychology:refer", kwargs={"child_pk": child.pk})
    page = client.get(refer_url)
    assert page.status_code == 200 and page.context["form"].initial["department"] == health
    response = client.post(
        refer_url,
        {
            "screening": s.pk,
            "department": health.pk,
            "reason": "筛查阳性，需专业评估",
            "due_on": (TODAY + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.referral.service, s.referral.department) == ("psychological", health)
    with pytest.raises(ValidationError):
        services.screening_refer(user=users.director, screening=s, department=health, reason="再转", due_on=TODAY)
    client.force_login(liaison)
    assert client.get(record_url).status_code == 200


def test_a_counselling_session_is_a_care_record_without_its_notes(client, users, child):
    client.force_login(users.director)
    url = reverse("psychology:session_new", kwargs={"child_pk": child.pk})
    response = client.post(url, {"held_on": TODAY.isoformat(), "counsellor": "区心理咨询中心", "notes": "谈及父母外出"})
    assert response.status_code == 302
    session = CounsellingSession.objects.get()
    care = CareRecord.objects.get(child=child)
    assert session.care_record == care and care.kind == "psychological" and "谈及" not in care.description
    bad = client.post(url, {"held_on": TODAY.isoformat(), "counsellor": "", "notes": "x"})
    assert bad.status_code == 200 and CounsellingSession.objects.count() == 1


def test_follow_up_done_once(users, child):
    s = services.screening_record(user=users.director, child=child, screening=screening("attention"))
    with pytest.raises(ValidationError):
        services.follow_up_done(user=users.director, screening=s, on=TODAY, note="")
    services.follow_up_done(user=users.director, screening=s, on=TODAY, note="已复查，情况好转")
    with pytest.raises(ValidationError):
        services.follow_up_done(user=users.director, screening=s, on=TODAY, note="再次")
    s.refresh_from_db()
    assert s.follow_up_done_on == TODAY


def test_the_follow_up_list_runs_a_fixed_number_of_queries_and_shows_only_own_areas(
    client, users, tree, child, django_assert_max_num_queries
):
    services.screening_record(user=users.director, child=child, screening=screening(follow_up_due=TODAY))
    client.force_login(users.supervisor)
    url = reverse("psychology:follow_ups")
    assert client.get(url).status_code == 200
    for _ in range(3):
        other = ChildFactory(village=tree.v2)
        services.screening_record(user=users.supervisor, child=other, screening=screening("attention"))
    outside = ChildFactory(village=tree.v3)
    services.screening_record(user=users.county_staff, child=outside, screening=screening("attention"))
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count('class="follow-up') == 4  # t1's four, not t2's
    client.force_login(users.liaison)
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------ the proposal's reason: need to know


PSYCH_WORDING = "心理筛查结果为阳性"  # the Chinese of "a positive psychological screen (psychological record)"
NEUTRAL_WORDING = "档案中的其他记录"  # the Chinese of "another record of the archive"


def test_the_psychological_proposals_reason_reads_neutral_without_the_need_to_know(client, users, child):
    from accounts.models import Role
    from tests.factories import UserFactory

    proposal = services.screening_record(user=users.director, child=child, screening=screening()).proposal
    admin = UserFactory(username="sysadmin", role=Role.ADMIN)  # reads every archive, not the psychological record
    detail = reverse("children:detail", kwargs={"pk": child.pk})
    form = reverse("children:proposal_confirm", kwargs={"pk": child.pk, "item_pk": proposal.pk})
    client.force_login(users.director)
    for url in (detail, reverse("children:proposals"), form):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert PSYCH_WORDING in page and NEUTRAL_WORDING not in page, url
    client.force_login(admin)
    for url in (detail, reverse("children:proposals")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        page = response.content.decode()
        assert response.status_code == 200 and 'id="proposals"' in page or url != detail, url
        assert PSYCH_WORDING not in page and NEUTRAL_WORDING in page, url


def test_who_knows_the_psychological_proposals_reason(users, tree, child):
    """psychology.access.proposals_not_known: area staff of the child and a liaison of a department holding an open
    psychological referral know; staff of other areas, another department's liaison and administrators do not."""
    from accounts.models import Role
    from guardianship import referrals
    from psychology.access import proposals_not_known
    from tests.factories import UserFactory

    proposal = services.screening_record(user=users.director, child=child, screening=screening()).proposal
    for knows in (users.director, users.supervisor, users.county_staff):
        assert proposals_not_known(knows, [proposal]) == set(), knows
    for does_not in (users.other_director, users.other_county_staff, users.liaison):
        assert proposals_not_known(does_not, [proposal]) == {proposal.pk}, does_not
    assert proposals_not_known(UserFactory(username="sysadmin", role=Role.ADMIN), [proposal]) == {proposal.pk}
    health = DepartmentFactory(area=tree.county, name="平度市卫健局", kind="health")
    liaison = UserFactory(username="health_liaison", role="liaison", department=health)
    assert proposals_not_known(liaison, [proposal]) == {proposal.pk}
    referrals.referral_send(
        user=users.director,
        child=child,
        department=health,
        service="psychological",
        reason="筛查阳性，需专业评估",
        due_on=TODAY + datetime.timedelta(days=14),
    )
    assert proposals_not_known(liaison, [proposal]) == set()


def test_confirming_the_screens_proposal_goes_through_approval(client, users, child):
    """The psychological category proposal is confirmed like any category change: the director's confirmation
    waits for the township supervisor (the default setting); nothing is added before approval."""
    from approvals import services as approvals
    from approvals.models import Approval

    proposal = services.screening_record(user=users.director, child=child, screening=screening()).proposal
    client.force_login(users.director)
    url = reverse("children:proposal_confirm", kwargs={"pk": child.pk, "item_pk": proposal.pk})
    assert client.post(url, {"on": TODAY.isoformat()}).status_code == 302
    approval = Approval.objects.get(child=child, kind="category_proposal")
    assert not child.categories.filter(category="psych_abnormal").exists()
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    approvals.approval_approve(user=users.supervisor, approval=approval)
    assert child.categories.filter(category="psych_abnormal", ended_on__isnull=True).exists()
