"""The archive page's "名单变动" section (issue 16): what departments' lists reported for the child, with the pending
ones' confirm and dismiss for whoever may change the archive, counted in the summary, read in a fixed number of
queries however many there are."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exchange.models import ChangeProposal, ChangeStatus
from tests.exchange.conftest import ID_DETAINED, ID_DIED, receive
from tests.guardianship.test_sweep_and_timeline import _archive_queries as _queries

pytestmark = pytest.mark.django_db

MOTHER_DETAINED = {"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "mother"}


def _police_list(lists, rows):
    return receive(lists.police_liaison, lists.police, rows)


def _section(body: str) -> str:
    start = body.index('id="list-changes"')
    return body[start : body.index("</details>", start)]


def _summary(body: str) -> str:
    start = body.index('id="summary"')
    return body[start : body.index("</section>", start)]


def test_the_archive_lists_the_changes_with_their_source_status_and_actions(client, users, lists):
    _police_list(lists, [MOTHER_DETAINED])
    detained = ChangeProposal.objects.get(child=lists.detained)
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[lists.detained.pk])).content.decode()
    section = _section(body)
    assert "名单变动" in section and "<details" in body[body.index('id="list-changes"') - 30 :]
    assert "平度市公安局" in section and "待儿童主任确认" in section and "母亲" in section
    assert timezone.localdate().strftime("%Y-%m-%d") in section
    assert reverse("exchange:confirm", args=[detained.pk]) in section
    assert reverse("exchange:dismiss", args=[detained.pk]) in section
    assert 'id="list-changes" open' in body  # a change waits: the section is open
    assert "1 项名单变动待决定" in _summary(body)

    # Dismissed from the archive page: back on it, with the reason and the status shown, the actions gone.
    dismiss = reverse("exchange:dismiss", args=[detained.pk])
    response = client.post(dismiss, {"reason": "母亲已于上月释放", "back": "archive"})
    assert response.status_code == 302
    assert response.url == reverse("children:detail", args=[lists.detained.pk]) + "#list-changes"
    body = client.get(response.url).content.decode()
    section = _section(body)
    assert "未采纳" in section and "母亲已于上月释放" in section and str(users.director) in section
    assert reverse("exchange:dismiss", args=[detained.pk]) not in section
    assert 'id="list-changes" open' not in body and "名单变动待决定" not in _summary(body)


def test_a_closed_archive_shows_its_changes_without_actions(client, users, lists):
    from children.models import Child

    _police_list(lists, [{"name": "赵小故", "id_number": ID_DIED, "status": "died"}])
    died = ChangeProposal.objects.get(child=lists.died)
    Child.objects.filter(pk=lists.died.pk).update(status="closed", close_reason="deceased", closed_on="2026-11-01")
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[lists.died.pk])).content.decode()
    section = _section(body)
    assert "平度市公安局" in section
    assert reverse("exchange:confirm", args=[died.pk]) not in section


def test_an_archive_with_no_list_changes_has_no_section(client, users, lists):
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[lists.pupil.pk])).content.decode()
    assert 'id="list-changes"' not in body


def test_the_section_is_read_in_a_fixed_number_of_queries(client, users, tree, lists):
    from tests.factories import UserFactory

    child = lists.detained
    _police_list(lists, [MOTHER_DETAINED])
    client.force_login(users.supervisor)
    _queries(client, child)  # warm: the session and the compiled statements
    few = _queries(client, child)
    # Five more, decided by five people, from the police's next lists and from the school's.
    first = ChangeProposal.objects.get(child=child)
    for n in range(5):
        decider = UserFactory(role="director", areas=[tree.v1])
        ChangeProposal.objects.create(
            child=child,
            kind=("died", "dropout", "parent_returned")[n % 3],
            relation="father" if n % 3 == 2 else "",
            row=first.row,
            status=ChangeStatus.DISMISSED,
            reason=f"核实不符{n}",
            decided_by=decider,
            decided_at=timezone.make_aware(datetime.datetime(2026, 3, 1 + n, 9)),
        )
    many = _queries(client, child)
    assert many == few
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert all(f"核实不符{n}" in _section(body) for n in range(5))
