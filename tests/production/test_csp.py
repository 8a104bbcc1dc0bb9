"""Content-Security-Policy: present on every page, scripts only from our own files, and no template has an
inline script or event handler that the policy would (rightly) block."""

import re

from .conftest import ROOT


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_csp_header_on_pages_allows_no_inline_script(client, users):
    for response in (client.get("/accounts/login/"), _signed_in(client, users.director).get("/children/")):
        assert response.status_code == 200
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert not any("http" in source for sources in policy.values() for source in sources)


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_uploads_keep_their_own_stricter_policy():
    """children/uploads.py sets a sandbox policy on served files; the middleware must not replace it."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    def view(request):
        response = HttpResponse(b"%PDF-")
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    response = CSPMiddleware(view)(RequestFactory().get("/children/1/file"))
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _our_templates():
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return [p for folder in folders if ".venv" not in folder.parts for p in folder.rglob("*.html")]


def test_no_template_has_inline_script_or_event_handlers():
    templates = _our_templates()
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text()
        for attrs in SCRIPT_TAG.findall(text):
            if "src=" not in attrs:
                offenders.append(f"{path}: inline <script>")
        if EVENT_HANDLER.search(text):
            offenders.append(f"{path}: on*= handler")
        if "javascript:" in text.lower():
            offenders.append(f"{path}: javascript: URL")
    assert offenders == []


def test_the_checker_catches_what_it_looks_for():
    assert SCRIPT_TAG.findall("<script>alert(1)</script>") == [""]
    assert EVENT_HANDLER.search('<button onclick="x()">')
    assert not EVENT_HANDLER.search('<button class="money">')
