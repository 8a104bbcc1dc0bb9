"""Every error of the API in one shape, with the message in Chinese and in English:

    {"error": {"code": "not_found", "message_zh": "未找到。", "message_en": "Not found.",
               "fields": {"visited_at": [{"code": "invalid", "message_zh": "…", "message_en": "…"}]}}}

API views run in English (api.views.ApiView), so every message, whether DRF's, a service's `ValidationError` or
the gate's 404, arrives here as its English msgid and is looked up once more in the Chinese catalogue. A message
with values put into it has no msgid of its own: a service's ValidationError keeps its lazy msgid and its params
apart (ValidationError(message, params=…)) and is rendered here in each language; a message formatted before it
was raised can only be given in English in both fields."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

MESSAGES = {
    "not_found": _("Not found."),
    "invalid": _("Some fields are not valid."),
    "not_authenticated": _("Sign in, or give an API key: Authorization: Bearer <key>."),
}


def both(message, params: dict | None = None) -> tuple[str, str]:
    """(Chinese, English) of a message: a lazy string rendered in each language, or an English string looked up;
    then, as Django's ValidationError does, the `params` put in (a lazy value is rendered in each language too)."""
    rendered = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = str(message)
            if isinstance(message, str) and language != "en":
                text = translation.gettext(text)
            rendered.append(text % params if params else text)
    return rendered[0], rendered[1]


def _item(message, code: str = "invalid", params: dict | None = None) -> dict:
    zh, en = both(message, params)
    return {"code": code, "message_zh": zh, "message_en": en}


def _service_fields(exc: DjangoValidationError) -> dict:
    """A service's ValidationError as {"field" | "non_field": [items]}, each message kept as the service gave it
    (a lazy msgid and its params, e.g. a list's "Row %(row)d: …"), so that it is rendered in both languages."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"non_field": exc.error_list}
    fields: dict = {}
    for field, items in errors.items():
        name = "non_field" if field in ("non_field_errors", NON_FIELD_ERRORS) else str(field)
        fields.setdefault(name, []).extend(_item(e.message, "invalid", e.params) for e in items)
    return fields


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
        return Response(body("invalid", MESSAGES["invalid"], _service_fields(exc)), status=status.HTTP_400_BAD_REQUEST)
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
