"""One object of every kind an oversight URL names, owned by the village v1 of the shared `tree`, for the
project-wide security walk (tests/security) and the tests here."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "oversight:spot_check": {"pk": "spot_check"},
    "oversight:spot_check_item": {"pk": "spot_check", "item_pk": "spot_check_item"},
    "oversight:finding_close": {"pk": "finding"},
    "oversight:director": {"pk": "director"},
    "oversight:director_profile": {"pk": "director"},
    "oversight:training_new": {"pk": "director"},
    "oversight:evaluation": {"pk": "director"},
    "oversight:activity": {"pk": "activity"},
    "oversight:activity_photo": {"pk": "activity", "photo_pk": "activity_photo"},
    "oversight:discovery_list": {"pk": "outside_list"},
    "oversight:row_assign": {"pk": "list_row"},
    "oversight:row_screen_out": {"pk": "list_row"},
    "oversight:row_screen_in": {"pk": "list_row"},
}


def make_objects(users, tree, child) -> dict:
    """A spot check of the child's county with a finding on the child, the child's director's ledger, an activity
    in the child's village with a photo, and an outside list of township t1 with a candidate row."""
    from oversight import activities, discovery, spotchecks
    from oversight.models import Activity, ActivityPhoto

    today = datetime.date.today()
    check = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, per_township=50, seed=1)
    item = check.items.get(child=child)
    spotchecks.item_record(
        user=users.county_staff,
        item=item,
        results={**dict.fromkeys(spotchecks.CHECK_FIELDS, True), "identity_verified": False},
        finding="身份证复印件缺失",
        due_on=today + datetime.timedelta(days=7),
    )
    activity = activities.activity_create(
        user=users.director,
        activity=Activity(kind="safety_education", date=today, area=tree.v1, place="村委会", topic="防溺水"),
        participants=[child],
    )
    photo = ActivityPhoto(activity=activity)
    photo.image.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    photo.save()
    csv = "姓名,身份证号,出生日期,缺勤天数\n新发现,,2016-01-02,10\n".encode()
    outside = discovery.list_upload(
        user=users.supervisor,
        upload=SimpleUploadedFile("absent.csv", csv),
        title="缺勤名单",
        source="学校",
        area=tree.t1,
    )
    return {
        "spot_check": check,
        "spot_check_item": item,
        "finding": item.findings.get(),
        "director": users.director,
        "activity": activity,
        "activity_photo": photo,
        "outside_list": outside,
        "list_row": outside.rows.get(),
    }
