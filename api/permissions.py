"""Which endpoints a caller may use. Which children and records it reaches is the access gate's business, not this
module's: a client's scopes only narrow the endpoints its service user could otherwise call."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import ApiClient


class HasScope(BasePermission):
    """A client needs the view's `scope`; a signed-in user (the phone app's session) needs no scope."""

    message = _("This API client does not have the scope this endpoint needs.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        client = request.auth if isinstance(request.auth, ApiClient) else None
        return client is None or client.has_scope(view.scope)
