import pytest

from accounts.models import Department, Role
from tasks.plans import load_all
from tests.factories import UserFactory


@pytest.fixture
def plans(db):
    return {r.plan.seed: r for r in load_all()}


@pytest.fixture
def qd_education(plans):
    return Department.objects.get(area_id="370200", kind="education")


@pytest.fixture
def edu_liaison(qd_education):
    return UserFactory(username="edu_liaison", role=Role.LIAISON, department=qd_education)


@pytest.fixture
def police_liaison(plans):
    return UserFactory(
        username="police_liaison",
        role=Role.LIAISON,
        department=Department.objects.get(area_id="370200", kind="public_security"),
    )
