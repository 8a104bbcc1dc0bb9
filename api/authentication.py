"""`Authorization: Bearer <key>` for registered API clients; the phone app's signed-in users use their session
(DRF's SessionAuthentication, which enforces CSRF)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiClient, split_key

LAST_USED_EVERY_SECONDS = 60


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the client's service user; `request.auth` is the `ApiClient`, and the underlying request
    carries `api_client_id`, which the access log (children.access.log_access) records."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session (or nothing) decides
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key as: Authorization: Bearer <key>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        parts = split_key(key)
        client = None
        if parts:
            client = ApiClient.objects.select_related("user").filter(key_prefix=parts[0]).first()
        if client is None or not client.key_matches(key):
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if not client.usable_on(timezone.localdate()):
            raise exceptions.AuthenticationFailed(_("This API key has expired or been revoked."))
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        request._request.api_client_id = client.pk
        return client.user, client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer cs_xxxxxxxx_…"}
