"""Every error of the API in one shape, with the message in Chinese and in English:

    {"error": {"code": "not_found", "message_zh": "未找到。", "message_en": "Not found.",
               "fields": {"visited_at": [{"code": "invalid", "message_zh": "…", "message_en": "…"}]}}}

API views run in English (api.views.ApiView), so every message, whether DRF's, a service's `ValidationError` or
the gate's 404, arrives here as its English msgid and is looked up once more in the Chinese catalogue. A message
with values put into it has no msgid of its own: its Chinese text is then the English one."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

MESSAGES = {
    "not_found": _("Not found."),
    "invalid": _("Some fields are not valid."),
    "not_authenticated": _("Sign in, or give an API key: Authorization: Bearer <key>."),
}


def both(message) -> tuple[str, str]:
    """(Chinese, English) of a message: a lazy string rendered in each language, or an English string looked up."""
    with translation.override("en"):
        english = str(message)
    with translation.override("zh-hans"):
        chinese = str(message) if not isinstance(message, str) else translation.gettext(english)
    return chinese, english


def _item(message, code: str = "invalid") -> dict:
    zh, en = both(message)
    return {"code": code, "message_zh": zh, "message_en": en}


def _flatten(detail, prefix: str = "", out: dict | None = None) -> dict:
    """DRF's nested error details as {"field" | "field.0.sub": [items]}; errors of no field under "non_field"."""
    out = {} if out is None else out
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field" if key in ("non_field_errors", "__all__") else str(key)
            _flatten(value, f"{prefix}.{name}" if prefix else name, out)
    elif isinstance(detail, list) and any(isinstance(d, dict | list) for d in detail):
        for i, value in enumerate(detail):
            if value:
                _flatten(value, f"{prefix}.{i}" if prefix else str(i), out)
    else:
        items = detail if isinstance(detail, list) else [detail]
        out.setdefault(prefix or "non_field", []).extend(_item(d, getattr(d, "code", "invalid")) for d in items)
    return out


def body(code: str, message, fields: dict | None = None) -> dict:
    zh, en = both(message)
    return {"error": {"code": code, "message_zh": zh, "message_en": en, "fields": fields or {}}}


def handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    headers = {}
    if isinstance(exc, Http404):
        return Response(body("not_found", MESSAGES["not_found"]), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else None)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field": exc.messages}
        exc = exceptions.ValidationError(serializers.as_serializer_error(DjangoValidationError(detail)))
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's 500
    if isinstance(exc, exceptions.ValidationError):
        payload = body("invalid", MESSAGES["invalid"], _flatten(exc.detail))
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(wait)
        payload = body("throttled", _("Too many requests: try again in a minute."))
    elif isinstance(exc, exceptions.NotFound):
        payload = body("not_found", exc.detail if str(exc.detail) != "Not found." else MESSAGES["not_found"])
    elif isinstance(exc, exceptions.NotAuthenticated):
        payload = body("not_authenticated", MESSAGES["not_authenticated"])
    else:
        code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        payload = body(str(code), exc.detail if isinstance(exc.detail, str) else exc.default_detail)
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    return Response(payload, status=exc.status_code, headers=headers)


def control_character_response() -> JsonResponse:
    """config.middleware.ControlCharacterMiddleware's 400 for an API URL, in the API's shape."""
    message = _("The request contains a control character.")
    return JsonResponse(body("bad_request", message), status=400, json_dumps_params={"ensure_ascii": False})


class NotFoundView(APIView):
    """Any other URL under /api/v1/ (a path id that is not a number, say): 404 in the API's shape, whatever the
    method (a signed-in session still needs its CSRF token for a write, as on every API view)."""

    permission_classes = []
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404()
