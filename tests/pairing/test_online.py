"""Online protection (000 #42–43, 001 §18, 003 §15, 004 §15): online harm and internet addiction are kinds of harm
in reports, counted on the report list, and a child can be referred to the 网信 department for them."""

import datetime
import json
import re

from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from guardianship import referrals, reports
from guardianship.models import Referral, Report
from tasks.plans import PLAN_DIR, load_plan

REPORTS = reverse("guardianship:reports")


def _file(users, child, harm_type):
    now = timezone.now()
    return reports.report_file(
        user=users.director,
        report=Report(
            child=child, found_at=now, reported_at=now, what_found="x", harm_type=harm_type, reported_to="police"
        ),
    )


def _shown(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-report="(\d+)"', response.content.decode())}


def test_online_harm_is_counted_and_filtered_on_the_report_list(client, users, child):
    online = [_file(users, child, "online_harm") for _ in range(2)]
    addiction = _file(users, child, "internet_addiction")
    physical = _file(users, child, "physical")
    client.force_login(users.county_staff)
    response = client.get(REPORTS, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "网络侵害（网络欺凌、诈骗、有害信息、侵犯隐私） (2)" in body and "网络沉迷 (1)" in body
    assert _shown(response) == {r.pk for r in [*online, addiction, physical]}
    assert _shown(client.get(REPORTS + "?harm=online_harm")) == {r.pk for r in online}
    assert _shown(client.get(REPORTS + "?harm=internet_addiction")) == {addiction.pk}
    assert len(_shown(client.get(REPORTS + "?harm=nonsense"))) == 4  # an unknown kind filters nothing


def test_a_child_can_be_referred_to_the_cyberspace_department(users, tree, child):
    """The Qingdao plan (000 #42) names 市委网信办: loading it registers the department, which a child of a Qingdao
    county can be referred to for online protection."""
    load_plan(json.loads((PLAN_DIR / "000_qingdao.json").read_text(encoding="utf-8")))
    cyberspace = Department.objects.get(kind="cyberspace", area_id="370200")
    assert cyberspace.name == "市委网信办"
    r = referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=cyberspace,
        service="online_protection",
        reason="沉迷网络游戏，夜间不归",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert Referral.objects.get(pk=r.pk).get_service_display() == "网络保护（有害信息、网络沉迷）"
