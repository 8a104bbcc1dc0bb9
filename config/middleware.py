"""Checks that hold for every URL of the project, made once before any view reads the request."""

import re

from django.core.exceptions import BadRequest
from django.http import QueryDict, UnreadablePostError

# C0 control characters except tab, line feed and carriage return (which typed text and text areas carry), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control_characters(data: QueryDict) -> bool:
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
        for key, values in data.lists()
    )


class ControlCharacterMiddleware:
    """A control character (NUL, ESC, DEL …) in the path, in a query parameter's name or value, or in a posted form
    field is answered 400 with the project's error page, before any view sees it. Nobody types one; passed on, a NUL
    makes PostgreSQL refuse the query (a 500), and others end up in archives, exports and PDFs.

    Sits after the locale middleware, so the 400 page is in the user's language. The content of uploaded files is
    not looked at here (the upload checks deal with it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_CHARACTERS.search(request.path_info) or _has_control_characters(request.GET):
            return self._refuse(request, "control character in the URL")
        if request.method == "POST":
            try:
                post = request.POST
            except UnreadablePostError:
                post = QueryDict()  # the client went away: nothing to check, the view meets the same error
            if _has_control_characters(post):
                return self._refuse(request, "control character in a form field")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, reason: str):
        if request.path_info.startswith("/api/"):  # the API answers in its own error shape (api.errors)
            from api.errors import control_character_response

            return control_character_response()
        raise BadRequest(reason)
