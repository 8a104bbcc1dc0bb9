import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from children import services
from children.categories import CATEGORY_BITS
from children.models import ArchiveStatus, Child, ChildCategory, ColourChange, Transfer
from tests.factories import ChildFactory, valid_id


def _new_child(village, **kw):
    defaults = {
        "name": "王小明",
        "id_number": valid_id(village.code[:6]),
        "sex": "M",
        "birth_date": datetime.date(2015, 6, 1),
        "village": village,
    }
    defaults.update(kw)
    return Child(**defaults)


def test_register_sets_categories_flags_and_colour_history(users, tree):
    child = services.child_register(
        user=users.director,
        child=_new_child(tree.v1, colour="yellow"),
        categories=["left_behind_rural", "single_parent"],
    )
    assert child.status == ArchiveStatus.OPEN
    assert child.category_flags == CATEGORY_BITS["left_behind_rural"] | CATEGORY_BITS["single_parent"]
    assert set(child.categories.values_list("category", flat=True)) == {"left_behind_rural", "single_parent"}
    assert ColourChange.objects.get(child=child).colour == "yellow"
    assert child.history.count() == 1  # the creation is in the change history


def test_register_refuses_an_id_number_open_elsewhere_naming_only_the_county_office(users, tree):
    existing = ChildFactory(village=tree.v4)  # another county
    with pytest.raises(ValidationError) as excinfo:
        services.child_register(user=users.director, child=_new_child(tree.v1, id_number=existing.id_number))
    message = excinfo.value.message_dict["id_number"][0]
    assert "胶州市" in message and "北关村" not in message and "阜安街道" not in message
    assert existing.name not in message
    assert Child.objects.count() == 1


def test_a_closed_archive_does_not_block_the_id_number(users, tree):
    old = ChildFactory(village=tree.v4, status=ArchiveStatus.CLOSED)
    child = services.child_register(user=users.director, child=_new_child(tree.v1, id_number=old.id_number))
    assert child.pk != old.pk


def test_same_name_birth_and_sex_needs_confirmation(users, tree):
    ChildFactory(village=tree.v3, name="王小明", sex="M", birth_date=datetime.date(2015, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.child_register(user=users.director, child=_new_child(tree.v1))
    assert "confirm_not_duplicate" in excinfo.value.message_dict
    assert Child.objects.count() == 1
    services.child_register(user=users.director, child=_new_child(tree.v1), confirmed_not_duplicate=True)
    assert Child.objects.count() == 2


def test_register_outside_own_area_is_refused(users, tree):
    with pytest.raises(ValidationError):
        services.child_register(user=users.director, child=_new_child(tree.v2))
    assert not Child.objects.exists()


def test_close_keeps_the_archive_readable_and_stops_edits(users, child):
    services.child_close(user=users.director, child=child, reason="turned_18", closed_on=datetime.date(2026, 1, 10))
    child.refresh_from_db()
    assert child.status == ArchiveStatus.CLOSED and child.close_reason == "turned_18"
    with pytest.raises(ValidationError):
        services.colour_set(user=users.director, child=child, colour="red", on=datetime.date(2026, 1, 2), reason="x")


def test_transfer_keeps_history_and_moves_access(users, tree, child):
    services.child_transfer(
        user=users.county_staff, child=child, to_village=tree.v3, on=datetime.date(2026, 3, 1), reason="随父母迁居"
    )
    child.refresh_from_db()
    assert child.village_id == tree.v3.code
    t = Transfer.objects.get(child=child)
    assert (t.from_village_id, t.to_village_id) == (tree.v1.code, tree.v3.code)
    assert child.history.first().village_id == tree.v3.code
    assert child.history.last().village_id == tree.v1.code
    from children.access import visible_children

    assert not visible_children(users.director).filter(pk=child.pk).exists()
    assert visible_children(users.other_supervisor).filter(pk=child.pk).exists()


def test_category_end_updates_flags(users, child):
    item = services.category_add(
        user=users.director, child=child, category="dropout", started_on=datetime.date(2026, 1, 1)
    )
    child.refresh_from_db()
    assert child.category_flags & CATEGORY_BITS["dropout"]
    services.category_end(user=users.director, item=item, ended_on=datetime.date(2026, 3, 1))
    child.refresh_from_db()
    assert not child.category_flags & CATEGORY_BITS["dropout"]
    assert ChildCategory.objects.filter(child=child).count() == 1  # kept, with its end date


def test_stale_edit_is_refused_and_the_first_save_survives(users, child):
    first = Child.objects.get(pk=child.pk)
    second = Child.objects.get(pk=child.pk)
    version = first.version
    first.address = "第一次保存"
    services.child_update(user=users.director, child=first, expected_version=version)
    second.address = "第二次保存"
    with pytest.raises(services.StaleEdit):
        services.child_update(user=users.director, child=second, expected_version=version)
    child.refresh_from_db()
    assert child.address == "第一次保存"


def test_a_liaison_cannot_change_a_shared_child(users, child):
    from guardian.shortcuts import assign_perm

    assign_perm("children.view_child", users.liaison, child)
    with pytest.raises(PermissionDenied):
        services.colour_set(user=users.liaison, child=child, colour="red", on=datetime.date(2026, 1, 2), reason="x")
