"""A department's school list reporting that the child left school, and the change proposed to its director, for
the project-wide security walk (tests/security)."""

# URL name -> {argument: key of the object}.
OBJECT_KWARGS = {
    "exchange:submission": {"pk": "submission"},
    "exchange:confirm": {"pk": "list_change"},
    "exchange:dismiss": {"pk": "list_change"},
}


def make_objects(users, tree, child) -> dict:
    """The list comes from the shared `users`' department (its liaison submits it)."""
    from exchange import matching, profiles
    from exchange.models import ChangeProposal, Source

    source = Source.objects.create(department=users.department, kind="school", expected_every_days=31)
    rows = [{"name": child.name, "id_number": child.id_number, "status": "dropped_out"}]
    submission = matching.submission_receive(
        user=users.liaison, source=source, records=profiles.json_records(rows, None), via="upload"
    )
    return {"submission": submission, "list_change": ChangeProposal.objects.get(child=child)}
