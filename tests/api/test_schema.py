"""The OpenAPI schema is generated from the code and valid; the docs are served from our own static files."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_generated_and_valid():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    paths = set(schema["paths"])
    assert {
        "/api/v1/children/",
        "/api/v1/children/{id}/",
        "/api/v1/schedules/",
        "/api/v1/schedules/overdue/",
        "/api/v1/visits/",
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/assignments/",
        "/api/v1/assignments/{id}/",
        "/api/v1/changes/",
    } <= paths
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "404", "429"):
                error = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, (method, path, code)
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Authorization: Bearer cs_xxxxxxxx_…",
    }


def test_the_schema_is_served_without_signing_in():
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_swagger_ui_is_served_from_our_static_files_within_the_csp():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = _assets(html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in a for a in assets)
    assert all(a.startswith("/") for a in assets), assets  # nothing from another server
    assert "<script>" not in html  # the start-up script is a file of its own (script-src 'self')
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "http" not in csp
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_redoc_is_served_from_our_static_files():
    response = Client().get("/api/v1/docs/redoc/")
    assert response.status_code == 200
    assets = _assets(response.content.decode())
    assert any("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in a for a in assets), assets
    assert all(a.startswith("/") for a in assets), assets
    assert "worker-src 'self' blob:" in response["Content-Security-Policy"]
