"""A bulk run for the project-wide security walk (tests/security): the county's export of the world's child. Its
result page is the county's own (every other user gets 404); the bulk actions themselves are POST-only URLs
without arguments, which the walk posts without a token (refused) and opens by GET (405)."""

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "bulk:run": {"pk": "bulk_run"},
}


def make_objects(users, tree, child) -> dict:
    from bulk import services
    from bulk.models import BulkKind

    run = services.selection_recorded(user=users.county_staff, kind=BulkKind.EXPORT, children=[child], refused=[])
    return {"bulk_run": run}
