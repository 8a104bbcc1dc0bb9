import datetime
import itertools

import factory

from accounts.models import Area, AreaLevel, Department, Role, User
from children.models import Child, ChildCategory, FamilyMember
from tests import idnumbers

_seq = itertools.count(1)


def area(code: str, name: str, level: str, parent: Area | None = None) -> Area:
    """Create (or reuse: migrations ship some regions) an area."""
    obj, _created = Area.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return obj


def valid_id(region6: str = "370283", birth: datetime.date = datetime.date(2015, 6, 1), male: bool = True) -> str:
    """A valid number worked out by the tests' own calculation (tests.idnumbers), not by children.idnumber."""
    n = next(_seq)
    return idnumbers.make(region6, birth, (2 * n + (1 if male else 0)) % 1000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.DIRECTOR
    password = factory.PostGenerationMethodCall("set_password", "pw-Test-2026!")

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)
        if create:
            self.save()


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    name = factory.Sequence(lambda n: f"测试{n}")
    sex = "M"
    birth_date = datetime.date(2015, 6, 1)
    id_number = factory.LazyAttribute(lambda o: valid_id(o.village.code[:6], o.birth_date, o.sex == "M"))
    registered_on = datetime.date(2026, 1, 5)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildCategory

    category = "left_behind_rural"
    started_on = datetime.date(2026, 1, 5)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from children.services import _refresh_category_flags

        item = super()._create(model_class, *args, **kwargs)
        _refresh_category_flags(item.child)
        return item


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    relation = "father"
    name = "王大明"
    situation = "working_away"
    work_destination = "上海"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"教育局{n}")
    kind = "education"


# The least a visit record says (issue 15), typed in here rather than read from visits.rules: a home visit whom the
# director met and the core observations; a contact whom and how.
VISIT_MINIMUM = {
    "home": {
        "met_whom": "奶奶",
        "living_conditions": "fair",
        "caregiver_status": "good",
        "safety_hazards": "无",
        "mood": "good",
    },
    "contact": {"met_whom": "父亲", "channel": "wechat"},
    "school": {"met_whom": "班主任"},
    "other": {"met_whom": "村委会主任"},
}


def visit_fields(kind: str = "home", **extra) -> dict:
    """Keyword arguments for a `Visit` of `kind` that says the least it must, plus `extra`."""
    return {"kind": kind, **VISIT_MINIMUM[kind], **extra}


__all__ = ["AreaLevel", "area"]
