"""A bounded schemathesis run over the whole API, in process (Django's WSGI application): for every operation a
few generated requests, valid and invalid, made with a key holding every scope, find no server error, no response
outside the documented schema and no undocumented content type. At most MAX_EXAMPLES per operation and mode.

(schemathesis's pytest plugin, `from_fixture`, does not run under pytest 9 — it sets `Function._nodeid` — so the
operations are walked here with `APIOperation.as_strategy` and Hypothesis directly.)"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 4
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema():
    from django.core.wsgi import get_wsgi_application
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("en"):
        raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    # As Django's test client does: the end of a request must not close the test's connection (PostgreSQL).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, mode, key, path_parameters):
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    check()


def test_no_server_error_and_every_answer_as_documented(api_schema, api, users):
    import datetime

    from guardianship.models import Referral

    referral = Referral.objects.create(
        child=api.child,
        department=users.department,
        service="schooling",
        reason="劝返",
        due_on=datetime.date(2099, 1, 1),
    )
    # Valid requests reach real records too: the ids of records the client may read, where the path has one.
    existing = {"/children/{id}/": api.child.pk, "/referrals/{id}/": referral.pk}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            known = existing.get(operation.path.removeprefix("/api/v1"))
            path_parameters = {"id": known} if known and mode == GenerationMode.POSITIVE else None
            try:
                _run(operation, mode, api.county.key, path_parameters)
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
